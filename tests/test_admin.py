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
    data["name_en"] = "Lock frozen solid"
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
    # On the field, with its label: not at the top with the internal field name.
    errors = response.context["adminform"].form.errors
    assert errors["p_yes"] == [
        "“How often “yes” with this cause” must be between 0 % and 100 %, not 150 %."
    ]

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
    data["likelihoods-0-p_yes_0"] = "exact"
    data["likelihoods-0-p_yes_1"] = "700"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "must be between 0 % and 100 %, not 700 %" in response.content.decode()


def test_likelihood_is_chosen_as_a_word_or_an_exact_percentage(admin_client, content):
    likelihood = Likelihood.objects.get(
        fault__slug="lock-frozen", symptom__slug="freezing-temperature"
    )
    url = reverse("admin:kb_likelihood_change", args=[likelihood.pk])
    page = admin_client.get(url).content.decode()
    assert "usually (80 %)" in page and "almost never (4 %)" in page
    data = form_data(admin_client.get(url))
    data.pop("p_yes")
    admin_client.post(url, {**data, "p_yes_0": "0.8", "p_yes_1": ""})
    likelihood.refresh_from_db()
    assert likelihood.p_yes == 0.8
    admin_client.post(url, {**data, "p_yes_0": "exact", "p_yes_1": "35,5"})  # decimal comma
    likelihood.refresh_from_db()
    assert likelihood.p_yes == pytest.approx(0.355)


def test_decimal_comma_is_a_decimal_point_not_a_thousands_separator(admin_client, content):
    fault = Fault.objects.get(slug="lock-frozen")
    url = reverse("admin:kb_fault_change", args=[fault.pk])
    data = form_data(admin_client.get(url))
    data["share"] = "0,8"
    assert admin_client.post(url, data).status_code == 302
    fault.refresh_from_db()
    assert fault.share == 0.8


def test_the_fault_page_shows_each_questions_value_for_other_causes(admin_client, content):
    fault = Fault.objects.get(slug="lock-frozen")
    page = admin_client.get(reverse("admin:kb_fault_change", args=[fault.pk])).content.decode()
    assert "with any other cause" in page.lower()


def test_every_field_an_editor_fills_has_help_text():
    from django.apps import apps

    missing = [
        f"{model.__name__}.{field.name}"
        for model in apps.get_app_config("kb").get_models()
        if not model.__name__.startswith("Historical")
        for field in model._meta.get_fields()
        if getattr(field, "editable", False)
        and not getattr(field, "auto_created", False)
        and field.concrete
        and not field.help_text
        and field.name not in {"id"}
    ]
    assert missing == []


def test_a_new_symptom_has_no_silent_default_for_other_causes(admin_client, content):
    page = admin_client.get(reverse("admin:kb_symptom_add"))
    assert page.context["adminform"].form["p_yes_otherwise"].value() is None


@pytest.mark.parametrize("path", ["/admin/login/", "/admin/", "/admin/kb/likelihood/1/change/"])
def test_admin_pages_name_the_sites_icon_so_no_browser_asks_for_a_missing_one(
    admin_client, content, path
):
    if path == "/admin/login/":
        admin_client.logout()
    response = admin_client.get(path)
    assert response.status_code == 200
    assert '<link rel="icon" href="/static/icons/favicon' in response.content.decode()
