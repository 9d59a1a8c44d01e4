"""The effect of an unsaved edit, before and after, computed with the engine; nothing saved."""

import pytest
from django.urls import reverse

from kb.models import Fault, Likelihood, Symptom
from tests.test_admin import form_data

pytestmark = pytest.mark.django_db


def preview(client, obj, change):
    meta = obj._meta
    url = reverse(f"admin:kb_{meta.model_name}_change", args=[obj.pk])
    data = form_data(client.get(url))
    change(data)
    return client.post(url + "preview/", data)


def test_a_runaway_share_changes_the_first_cause_without_saving(admin_client, content):
    fault = Fault.objects.get(slug="lock-gears-jammed")
    others = Fault.objects.filter(problem=fault.problem).exclude(pk=fault.pk)
    others.update(share=0.01)  # the saved state: every other cause small
    response = preview(admin_client, fault, lambda data: data.update(share="0,0001"))
    assert response.status_code == 200
    generations = response.context["generations"]
    assert len(generations) == 4
    assert all(g.before[0].name == fault.name for g in generations)
    assert all(g.after[0].name != fault.name for g in generations)
    assert "the first cause changes" in response.content.decode()
    fault.refresh_from_db()
    assert fault.share != 0.0001  # nothing saved


def test_an_unchanged_form_changes_nothing(admin_client, content):
    fault = Fault.objects.get(slug="lock-frozen")
    response = preview(admin_client, fault, lambda data: None)
    for g in response.context["generations"]:
        assert [r.name for r in g.before] == [r.name for r in g.after]
        assert not g.changed_scenarios


def test_an_inline_likelihood_edit_is_previewed(admin_client, content):
    symptom = Symptom.objects.get(slug="freezing-temperature")
    likelihood = Likelihood.objects.get(fault__slug="lock-frozen", symptom=symptom)

    def change(data):
        index = next(
            i
            for i in range(int(data["likelihoods-TOTAL_FORMS"]))
            if str(data[f"likelihoods-{i}-id"]) == str(likelihood.pk)
        )
        data[f"likelihoods-{index}-DELETE"] = "on"

    response = preview(admin_client, symptom, change)
    assert response.status_code == 200
    assert response.context["generations"]
    assert Likelihood.objects.filter(pk=likelihood.pk).exists()


def test_a_likelihood_preview_and_a_form_error_is_shown_not_a_500(admin_client, content):
    likelihood = Likelihood.objects.first()
    ok = preview(admin_client, likelihood, lambda data: data.update(p_yes="0.5"))
    assert ok.status_code == 200 and ok.context["generations"]
    bad = preview(admin_client, likelihood, lambda data: data.update(p_yes="7"))
    assert bad.status_code == 200
    assert "Fix the form first" in bad.content.decode()


def test_the_change_form_has_the_preview_button(admin_client, content):
    fault = Fault.objects.first()
    page = admin_client.get(reverse("admin:kb_fault_change", args=[fault.pk])).content.decode()
    assert 'formaction="preview/"' in page
