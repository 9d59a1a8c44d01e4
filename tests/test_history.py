"""History that can always undo: shipped content has a first history row, inline likelihood
changes show in their fault's history, and a browser's CRLF is not a change."""

import html
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from kb.models import Fault, Likelihood, Procedure, Step, Symptom
from tests.conftest import FIXTURES
from tests.test_admin import form_data

pytestmark = pytest.mark.django_db


def test_every_shipped_object_has_a_history_row(content):
    for model in (Symptom, Likelihood, Procedure, Step, Fault):
        missing = model.objects.exclude(pk__in=model.history.values("id"))
        assert not missing.exists(), model
    row = Likelihood.objects.first().history.first()
    assert row.history_change_reason == "Loaded from a fixture"


def test_reloading_unchanged_fixtures_adds_no_history(content):
    before = Likelihood.history.count()
    call_command("load_content", *FIXTURES, stdout=io.StringIO())
    assert Likelihood.history.count() == before


def test_the_first_edit_of_a_shipped_likelihood_can_be_reverted(admin_client, content):
    likelihood = Likelihood.objects.get(
        fault__slug="lock-frozen", symptom__slug="freezing-temperature"
    )
    original = likelihood.p_yes
    url = reverse("admin:kb_likelihood_change", args=[likelihood.pk])
    data = form_data(admin_client.get(url))
    data["p_yes"] = "0.3"
    assert admin_client.post(url, data).status_code == 302
    shipped = likelihood.history.earliest("history_date")
    revert = reverse("admin:kb_likelihood_simple_history", args=[likelihood.pk, shipped.history_id])
    page = admin_client.get(revert)
    assert admin_client.post(revert, form_data(page)).status_code == 302
    likelihood.refresh_from_db()
    assert likelihood.p_yes == original


def test_a_fault_keeps_its_procedures_when_reverted_to_the_shipped_version(admin_client, content):
    fault = Fault.objects.get(slug="lock-frozen")
    procedures = set(fault.procedures.values_list("pk", flat=True))
    shipped = fault.history.earliest("history_date")
    assert set(shipped.procedures.values_list("procedure_id", flat=True)) == procedures


def test_inline_likelihood_change_shows_in_the_faults_history(admin_client, content):
    fault = Fault.objects.get(slug="lock-frozen")
    url = reverse("admin:kb_fault_change", args=[fault.pk])
    data = form_data(admin_client.get(url))
    index = next(
        i
        for i in range(int(data["likelihoods-TOTAL_FORMS"]))
        if Likelihood.objects.get(pk=data[f"likelihoods-{i}-id"]).symptom.slug
        == "freezing-temperature"
    )
    old = data[f"likelihoods-{index}-p_yes"]
    data[f"likelihoods-{index}-p_yes"] = "0.33"
    assert admin_client.post(url, data).status_code == 302
    page = admin_client.get(reverse("admin:kb_fault_history", args=[fault.pk]))
    body = page.content.decode()
    assert "Changes of its likelihoods" in body
    assert f"({float(old) * 100:.4g} %) → ≈ " in html.unescape(body)  # in words and %


def test_crlf_from_the_browser_is_not_a_change(admin_client, content):
    fault = Fault.objects.get(slug="lock-frozen")
    assert "\n" in fault.signs
    rows = fault.history.count()
    url = reverse("admin:kb_fault_change", args=[fault.pk])
    data = form_data(admin_client.get(url))
    data["signs_en"] = fault.signs.replace("\n", "\r\n")  # as a browser sends a textarea
    data["description_en"] = fault.description.replace("\n", "\r\n")
    assert admin_client.post(url, data).status_code == 302
    fault.refresh_from_db()
    assert "\r" not in fault.signs
    latest = fault.history.first()
    if fault.history.count() > rows:  # the admin saved anyway: the diff must be empty
        assert not latest.diff_against(latest.prev_record).changed_fields
    from django.contrib.admin.models import LogEntry

    entry = LogEntry.objects.filter(object_id=str(fault.pk)).latest("action_time")
    assert "signs" not in entry.get_change_message().lower()


# --- reading a history page ------------------------------------------------------------------


def edit_the_frozen_lock_likelihood(client, p_yes: str) -> Likelihood:
    """Lock frozen × freezing temperature (shipped: 0.95), edited in the admin."""
    likelihood = Likelihood.objects.get(
        fault__slug="lock-frozen", symptom__slug="freezing-temperature"
    )
    url = reverse("admin:kb_likelihood_change", args=[likelihood.pk])
    data = form_data(client.get(url))
    data["p_yes"] = p_yes
    assert client.post(url, data).status_code == 302
    return likelihood


def test_a_revert_says_to_which_version_and_values_read_in_words(admin_client, content):
    likelihood = edit_the_frozen_lock_likelihood(admin_client, "0.3")
    shipped = likelihood.history.earliest("history_date")
    revert = reverse("admin:kb_likelihood_simple_history", args=[likelihood.pk, shipped.history_id])
    assert admin_client.post(revert, form_data(admin_client.get(revert))).status_code == 302
    assert likelihood.history.first().history_change_reason.startswith("Reverted to the version of")
    page = admin_client.get(reverse("admin:kb_likelihood_history", args=[likelihood.pk]))
    body = html.unescape(page.content.decode())
    changes = re.sub(r"\s+", " ", body[body.index("change-history") :])
    assert "almost always (95 %) → ≈ sometimes (30 %)" in changes, changes[:1500]  # not 0.95 → 0.3
    assert "0.95" not in body
    assert "<td>None</td>" not in body  # an empty change reason reads —


def test_an_editor_sees_who_changed_it_without_a_link_to_a_page_they_may_not_open(client, content):
    from django.contrib.auth.models import Group, User

    editor = User.objects.create_user("mechanic", password="pw-for-tests-123", is_staff=True)
    editor.groups.add(Group.objects.get(name="Content editor"))
    client.force_login(editor)
    likelihood = edit_the_frozen_lock_likelihood(client, "0.9")
    body = client.get(reverse("admin:kb_likelihood_history", args=[likelihood.pk])).content
    assert b"mechanic" in body
    assert b"/admin/auth/user/" not in body
