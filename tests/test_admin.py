"""Service staff keep the content right in the admin; every edit is kept and can be reverted."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from kb.models import CONTENT_MODELS, Fault, Generation, Likelihood

pytestmark = pytest.mark.django_db


def form_data(response) -> dict:
    """The POST data a browser would send back for an admin change page, unchanged."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        mgmt = formset.management_form
        for name in mgmt.fields:
            data[f"{mgmt.prefix}-{name}"] = mgmt[name].value()
        forms.extend(formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            key = form.add_prefix(name)
            if isinstance(value, (list, tuple)):
                data[key] = [str(v) for v in value]
            else:
                data[key] = value
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def editor(client):
    user = User.objects.create_user("editor", password="pw-for-tests-123", is_staff=True)
    user.groups.add(Group.objects.get(name="Content editor"))
    client.force_login(user)
    return user


def field_value(obj, path: str) -> str:
    for name in path.split("__"):
        obj = getattr(obj, name)
    return str(obj)


def test_staff_sees_every_content_model(admin_client, content):
    index = admin_client.get("/admin/")
    assert index.status_code == 200
    for model in CONTENT_MODELS:
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert f'href="{url}"' in index.content.decode(), f"{url} not linked from the index"

        changelist = admin_client.get(url)
        assert changelist.status_code == 200, url
        assert changelist.context["cl"].result_count == model.objects.count() > 0, url

        first = model.objects.order_by("pk").first()
        search_fields = changelist.context["cl"].search_fields
        if search_fields:  # the object is found by its own words, nonsense finds nothing
            term = field_value(first, search_fields[0])
            found = admin_client.get(url, {"q": term}).context["cl"]
            assert first.pk in [o.pk for o in found.result_list], (url, term)
            assert found.result_count < found.full_result_count or model.objects.count() == 1
            nothing = admin_client.get(url, {"q": "zz-no-such-words-zz"}).context["cl"]
            assert nothing.result_count == 0, url

        change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk])
        page = admin_client.get(change)
        assert page.status_code == 200, change
        assert page.context["original"] == first
        assert page.context["adminform"].form.instance.pk == first.pk


def test_anonymous_is_redirected_to_login(client):
    response = client.get("/admin/kb/fault/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_content_editor_can_change_a_fault_but_not_users(client, editor, content):
    fault = Fault.objects.get(slug="lock-frozen")
    url = reverse("admin:kb_fault_change", args=[fault.pk])
    data = form_data(client.get(url))
    data["name"] = "Lock frozen solid"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    fault.refresh_from_db()
    assert fault.name == "Lock frozen solid"
    assert client.get("/admin/auth/user/").status_code == 403
    assert client.get("/admin/auth/group/").status_code == 403


def test_history_records_an_edit_and_a_revert_restores_it(admin_client, content):
    fault = Fault.objects.get(slug="release-cable-broken")
    original = fault.name
    url = reverse("admin:kb_fault_change", args=[fault.pk])
    data = form_data(admin_client.get(url))
    data["name"] = "Edited name"
    assert admin_client.post(url, data).status_code == 302
    assert fault.history.count() >= 2
    before_edit = fault.history.filter(name=original).latest("history_date")

    revert_url = reverse("admin:kb_fault_simple_history", args=[fault.pk, before_edit.history_id])
    page = admin_client.get(revert_url)
    assert page.status_code == 200
    response = admin_client.post(revert_url, form_data(page))
    assert response.status_code == 302
    fault.refresh_from_db()
    assert fault.name == original
    assert fault.history.first().name == original  # the revert is itself recorded


def test_constraint_broken_in_admin_is_a_form_error_not_a_500(admin_client, content):
    likelihood = Likelihood.objects.first()
    url = reverse("admin:kb_likelihood_change", args=[likelihood.pk])
    data = form_data(admin_client.get(url))
    data["p_yes"] = "1.5"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "between 0 and 1" in response.content.decode()

    generation = Generation.objects.get(code="j10")
    url = reverse("admin:kb_generation_change", args=[generation.pk])
    data = form_data(admin_client.get(url))
    data["year_to"] = "2001"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "cannot be before the first year" in response.content.decode()


def test_inline_likelihood_out_of_range_is_a_form_error(admin_client, content):
    fault = Fault.objects.get(slug="lock-frozen")
    url = reverse("admin:kb_fault_change", args=[fault.pk])
    data = form_data(admin_client.get(url))
    data["likelihoods-0-p_yes"] = "7"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "between 0 and 1" in response.content.decode()
