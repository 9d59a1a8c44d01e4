"""A public page's address is a content lead's (issue 21): an editor sees the slugs and codes
in public URLs read-only; a lead may rename, and the old address answers 301 to the new one,
for the page and every page under it, in either language (kb/addresses.py)."""

import pytest
from django.test import Client
from django.urls import reverse

from kb.models import Generation, MovedAddress, Problem, VehicleModel
from tests.test_admin import form_data
from tests.test_roles import member_of

pytestmark = pytest.mark.django_db


def test_an_editor_sees_a_published_problems_slug_and_a_generations_code_read_only(client, content):
    member_of(client, "Content editor")
    problem = Problem.objects.get(slug="trunk-wont-open")
    page = client.get(reverse("admin:kb_problem_change", args=[problem.pk])).content.decode()
    assert 'name="slug"' not in page and "trunk-wont-open" in page
    generation = Generation.objects.get(code="j11")
    page = client.get(reverse("admin:kb_generation_change", args=[generation.pk])).content.decode()
    assert 'name="code"' not in page


def test_an_editor_still_names_a_draft_problem_freely(client, content):
    member_of(client, "Content editor")
    problem = Problem.objects.get(slug="trunk-opens-then-closes")
    Problem.objects.filter(pk=problem.pk).update(is_published=False)
    page = client.get(reverse("admin:kb_problem_change", args=[problem.pk])).content.decode()
    assert 'name="slug"' in page


def test_an_editors_post_cannot_change_a_public_slug(client, content):
    lead = Client()
    member_of(lead, "Content lead")
    url = reverse("admin:kb_problem_change", args=[Problem.objects.get(slug="trunk-wont-open").pk])
    data = form_data(lead.get(url))  # the form as a lead sees it, with the slug field
    data["slug"] = "boot-stuck"
    member_of(client, "Content editor")
    assert client.post(url, data).status_code == 302
    assert Problem.objects.filter(slug="trunk-wont-open").exists()


def test_a_leads_rename_leaves_the_old_addresses_redirecting_in_both_languages(
    client, content, django_capture_on_commit_callbacks
):
    member_of(client, "Content lead")
    problem = Problem.objects.get(slug="trunk-wont-open")
    url = reverse("admin:kb_problem_change", args=[problem.pk])
    data = form_data(client.get(url))
    data["slug"] = "boot-stuck"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    owner = Client()
    page = owner.get("/nissan-qashqai/trunk-wont-open/")
    assert page.status_code == 301 and page["Location"] == "/nissan-qashqai/boot-stuck/"
    step = owner.get("/ru/nissan-qashqai/trunk-wont-open/diagnose/?generation=j11")
    assert step.status_code == 301
    assert step["Location"] == "/ru/nissan-qashqai/boot-stuck/diagnose/?generation=j11"
    assert owner.get(step["Location"]).status_code == 200
    assert owner.get("/nissan-qashqai/never-was/").status_code == 404


def test_renaming_twice_and_back_keeps_every_old_address_pointing_at_the_page(
    content, django_capture_on_commit_callbacks
):
    model = VehicleModel.objects.get(slug="nissan-qashqai")
    for slug in ("qashqai", "nissan-qashqai-j", "nissan-qashqai"):
        model.slug = slug
        with django_capture_on_commit_callbacks(execute=True):
            model.save()
    owner = Client()
    assert owner.get("/nissan-qashqai/").status_code == 200  # back where it was
    moved = owner.get("/qashqai/faq/")
    assert moved.status_code == 301 and moved["Location"] == "/nissan-qashqai/faq/"
    assert not MovedAddress.objects.filter(old_path="/nissan-qashqai/").exists()
