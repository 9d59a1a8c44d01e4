"""A procedure's history holds its steps: the page lists their changes in words beside the
procedure's own, and reverting the procedure puts its steps back as they were then."""

import html
import re

import pytest
from django.urls import reverse

from kb.models import Procedure, Step
from tests.test_admin import form_data

pytestmark = pytest.mark.django_db

STEP_FIELDS = ("id", "number", "title_en", "title_ru", "text_en", "text_ru", "source", "warning")


def steps_of(procedure) -> list[tuple]:
    return list(
        Step.objects.filter(procedure=procedure).order_by("number").values_list(*STEP_FIELDS)
    )


def edit_procedure_and_steps(client, procedure) -> None:
    """Change the summary, the first step's text; delete the second step; add one."""
    url = reverse("admin:kb_procedure_change", args=[procedure.pk])
    data = form_data(client.get(url))
    data["summary_en"] = "Changed summary."
    data["steps-0-text_en"] = "A different first step."
    data["steps-1-DELETE"] = "on"
    new = int(data["steps-TOTAL_FORMS"])
    added = {
        "title_en": "Check the result",
        "text_en": "Open and close the lid twice.",
        "source": "estimate",
        "procedure": str(procedure.pk),
    }
    data.update({f"steps-{new}-{name}": value for name, value in added.items()})
    data["steps-TOTAL_FORMS"] = str(new + 1)
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]


def revert(client, procedure, version):
    url = reverse("admin:kb_procedure_simple_history", args=[procedure.pk, version.history_id])
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, form_data(page))
    assert response.status_code == 302, response.context and response.context["errors"]
    return page


@pytest.fixture
def procedure(content):
    return Procedure.objects.filter(steps__number=3).first()


def test_reverting_a_procedure_restores_its_steps_exactly(admin_client, procedure):
    before = steps_of(procedure)
    summary = procedure.summary_en
    shipped = procedure.history.latest("history_date")
    edit_procedure_and_steps(admin_client, procedure)
    edited = steps_of(procedure)
    assert edited != before and len(edited) == len(before)  # one gone, one added

    page = revert(admin_client, procedure, shipped)

    procedure.refresh_from_db()
    assert procedure.summary_en == summary
    assert steps_of(procedure) == before  # same ids, numbers, texts in both languages
    assert not Step.objects.filter(title_en="Check the result").exists()
    titles = [row.title for row in page.context["version_steps"]]
    assert titles == [title for _id, _n, title, *_rest in before]  # the revert page said so


def test_every_row_a_revert_writes_names_the_version(admin_client, procedure):
    shipped = procedure.history.latest("history_date")
    edit_procedure_and_steps(admin_client, procedure)
    started = Step.history.latest("history_date").history_date
    revert(admin_client, procedure, shipped)
    written = Step.history.filter(history_date__gt=started)
    assert written.count() >= 3  # the added step deleted, the deleted one back, the text
    reasons = {row.history_change_reason for row in written}
    reasons.add(procedure.history.first().history_change_reason)
    assert len(reasons) == 1 and reasons.pop().startswith("Reverted to the version of")


def test_reverting_to_the_latest_version_changes_no_step(admin_client, procedure):
    edit_procedure_and_steps(admin_client, procedure)
    after_edit = steps_of(procedure)
    rows = Step.history.count()
    revert(admin_client, procedure, procedure.history.latest("history_date"))
    assert steps_of(procedure) == after_edit
    assert Step.history.count() == rows


def test_a_revert_that_fails_restores_nothing(admin_client, procedure, monkeypatch):
    from kb import procedure_history

    shipped = procedure.history.latest("history_date")
    edit_procedure_and_steps(admin_client, procedure)
    edited, summary = steps_of(procedure), Procedure.objects.get(pk=procedure.pk).summary_en

    def broken(*args, **kwargs):
        raise RuntimeError("the steps could not be restored")

    monkeypatch.setattr(procedure_history, "restore_steps", broken)
    url = reverse("admin:kb_procedure_simple_history", args=[procedure.pk, shipped.history_id])
    data = form_data(admin_client.get(url))
    admin_client.raise_request_exception = False
    assert admin_client.post(url, data).status_code == 500
    assert steps_of(procedure) == edited
    assert Procedure.objects.get(pk=procedure.pk).summary_en == summary


def test_the_history_page_lists_the_step_changes_in_words(admin_client, procedure):
    first, second, third = procedure.steps.order_by("number")[:3]
    edit_procedure_and_steps(admin_client, procedure)
    body = admin_client.get(reverse("admin:kb_procedure_history", args=[procedure.pk]))
    text = re.sub(r"\s+", " ", html.unescape(body.content.decode()))
    section = text[text.index("Changes of its steps") :]
    rows = re.findall(r"<tr>(.*?)</tr>", section)
    cells = [re.findall(r"<td>(.*?)</td>", row) for row in rows]
    said = {(cell[2], cell[3]) for cell in cells if len(cell) >= 4}
    assert (f"1. {first.title}", "changed: text") in said, section[:2000]
    assert (f"2. {second.title}", "deleted") in said
    assert (f"2. {third.title}", "moved from 3 to 2") in said
    assert any(step.endswith("Check the result") and what == "added" for step, what in said)


def test_the_russian_history_page_says_it_in_russian(admin_client, procedure):
    edit_procedure_and_steps(admin_client, procedure)
    url = reverse("admin:kb_procedure_history", args=[procedure.pk])
    text = html.unescape(admin_client.get(url, headers={"Accept-Language": "ru"}).content.decode())
    section = text[text.index("Изменения шагов") :]
    for words in ("добавлен", "удалён", "перенесён с 3 на 2", "изменено: текст"):
        assert f"<td>{words}</td>" in section, words
    assert "moved from" not in section
