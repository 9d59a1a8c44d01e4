"""The content check in the admin: every finding in words, naming and linking the object, and
after each save the findings of the problem edited, the edited object first."""

import re

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import translation

from kb.models import Fault, FaultRate, Generation, Likelihood, Symptom, VehicleModel
from kb.validation import Finding, findings
from tests.test_admin import form_data

pytestmark = pytest.mark.django_db
PAGE = "/admin/content-check/"


@pytest.fixture
def editor(client):
    user = User.objects.create_user("editor", password="pw-for-tests-123", is_staff=True)
    user.groups.add(Group.objects.get(name="Content editor"))
    client.force_login(user)
    return user


def test_shipped_content_has_no_finding(client, editor, content):
    assert findings() == []
    body = client.get(PAGE).content.decode()
    assert "No finding." in body


def test_page_names_and_links_a_fault_without_procedure(client, editor, content):
    fault = Fault.objects.get(slug="handle-broken")
    fault.procedures.clear()
    body = client.get(PAGE).content.decode()
    link = reverse("admin:kb_fault_change", args=[fault.pk])
    assert f'<a href="{link}">Fault “{fault.name}”</a>: has no procedure' in body
    assert "Trunk won&#x27;t open" in body  # grouped under its problem


def test_a_runaway_share_names_the_fault_that_dominates(content):
    # As with the "prior factor of 1000": every other fault's share far below lock-frozen's.
    fault = Fault.objects.get(slug="lock-frozen")
    Fault.objects.exclude(pk=fault.pk).filter(problem=fault.problem).update(share=0.0001)
    found = findings(fault.problem)
    named = [f.message for f in found if f.obj == fault]
    assert any("times likelier than a typical cause" in m for m in named), named
    assert any(
        m.startswith("stays first in generations J10, J11, J11 facelift and J12") for m in named
    ), named
    hidden = [f for f in found if "no answers raise it to the top" in f.message]
    assert hidden and all("leave “Lock frozen” first" in f.message for f in hidden)


def test_a_probability_of_one_is_too_sure(content):
    likelihood = Likelihood.objects.get(
        fault__slug="lock-frozen", symptom__slug="freezing-temperature"
    )
    Likelihood.objects.filter(pk=likelihood.pk).update(p_yes=1.0)
    messages = [f.message for f in findings() if f.obj == likelihood]
    assert messages and "too sure" in messages[0]


def test_a_fault_moved_to_another_problem_is_named(content):
    fault = Fault.objects.get(slug="lock-frozen")
    other = fault.problem.vehicle_model.problems.exclude(pk=fault.problem_id).get()
    Fault.objects.filter(pk=fault.pk).update(problem=other)
    messages = [f.message for f in findings() if f.obj == fault]
    assert any("questions of another problem" in m for m in messages), messages


def test_a_deleted_generation_leaves_its_years_uncovered(content):
    Generation.objects.get(code="j12").delete()
    model = VehicleModel.objects.get(slug="nissan-qashqai")
    messages = [f.message for f in findings() if f.obj == model]
    assert any("no generation covers 2022–" in m for m in messages), messages


def test_a_gap_between_generations_is_named(content):
    Generation.objects.filter(code="j11").update(year_from=2015)
    model = VehicleModel.objects.get(slug="nissan-qashqai")
    assert any("no generation covers 2014:" in f.message for f in findings() if f.obj == model)


def test_a_fault_type_without_a_rate_for_a_generation_is_named(content):
    FaultRate.objects.filter(generation__code="j12", group__slug="lock-malfunction").delete()
    found = [f for f in findings() if f.obj._meta.model_name == "faultgroup"]
    assert found and "no rate for Nissan Qashqai J12" in found[0].message


def test_after_saving_the_message_lists_the_problems_findings_edited_object_first(
    client, editor, content
):
    symptom = Symptom.objects.get(slug="freezing-temperature")
    url = reverse("admin:kb_symptom_change", args=[symptom.pk])
    data = form_data(client.get(url))
    data["p_yes_otherwise"] = "0.99"
    response = client.post(url, data, follow=True)
    body = response.content.decode()
    # the too-sure value, and the shipped test cases it breaks (diagnosis.ScenarioCase)
    assert re.search(
        r"Content check for “Nissan Qashqai: Trunk won&#x27;t open”: \d+ findings", body
    )
    assert "(what you just saved: probably the cause)" in body
    assert body.index("too sure") < body.index("not in the top three")


def test_after_a_clean_save_the_message_says_so(client, editor, content):
    fault = Fault.objects.get(slug="lock-frozen")
    url = reverse("admin:kb_fault_change", args=[fault.pk])
    response = client.post(url, form_data(client.get(url)), follow=True)
    assert "Content check: no finding for" in response.content.decode()


def test_a_new_rule_is_a_short_function():
    # The shape the lead's rules use: the object, a message in words, the problem it concerns.
    finding = Finding(Fault(slug="x", name="X"), "has a share above its type", None)
    assert str(finding) == "fault “X”: has a share above its type"


def test_a_likelihood_is_named_in_words_not_slugs(content):
    likelihood = Likelihood.objects.get(
        fault__slug="lock-frozen", symptom__slug="freezing-temperature"
    )
    Likelihood.objects.filter(pk=likelihood.pk).update(p_yes=1.0)
    finding = next(f for f in findings() if f.obj == likelihood)
    assert "freezing-temperature" not in finding.name
    assert finding.name.startswith("likelihood “Lock frozen — ")


# --- in Russian, for staff whose language is Russian ---------------------------------------------


def test_the_page_is_in_russian_for_russian_staff(client, editor, content):
    fault = Fault.objects.get(slug="handle-broken")
    fault.procedures.clear()
    body = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    link = reverse("admin:kb_fault_change", args=[fault.pk])
    assert (
        f'<a href="{link}">Неисправность «{fault.name_ru}»</a>: нет ни одной процедуры: '
        "владелец узнает причину, но не узнает, как её устранить." in body
    )
    assert "has no procedure" not in body


def test_after_saving_russian_staff_read_the_findings_in_russian(client, editor, content):
    symptom = Symptom.objects.get(slug="freezing-temperature")
    url = reverse("admin:kb_symptom_change", args=[symptom.pk])
    data = form_data(client.get(url, HTTP_ACCEPT_LANGUAGE="ru"))
    data["p_yes_otherwise"] = "0.99"
    body = client.post(url, data, follow=True, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    body = body.replace("\xa0", " ")  # Russian content has its no-break spaces (kb/typography.py)
    assert re.search(
        r"Проверка контента по «Nissan Qashqai: Не открывается багажник»: \d+ замечани", body
    )
    assert (
        f"Признак «{symptom.question_ru}»</a> (то, что вы только что сохранили: вероятно, "
        "причина): вероятность «да» при любой другой причине 0.99 слишком категорична" in body
    )
    assert "too sure" not in body


def test_the_engines_findings_are_worded_in_the_active_language(content):
    fault = Fault.objects.get(slug="lock-frozen")
    Fault.objects.exclude(pk=fault.pk).filter(problem=fault.problem).update(share=0.0001)
    with translation.override("ru"):
        named = [f.message for f in findings(fault.problem) if f.obj == fault]
        hidden = [f.message for f in findings(fault.problem) if f.obj != fault]
    assert any(m.startswith("изначально в ") for m in named), named
    assert any(
        m.startswith("остаётся первой в поколениях J10, J11, J11 рестайлинг и J12, даже когда")
        for m in named
    ), named
    assert any(f"первой остаётся «{fault.name_ru}»" in m for m in hidden), hidden
