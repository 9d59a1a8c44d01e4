"""A draft problem is seen by staff only: absent from public pages, sitemap, search and API."""

import pytest
from django.contrib.auth.models import User

from kb.models import Fault, Problem
from tests.step_state import outcome_of
from tests.test_seo import sitemap_text

pytestmark = pytest.mark.django_db

PROBLEM = "/nissan-qashqai/trunk-opens-then-closes/"
FAULT = PROBLEM + "faults/latch-misadjusted/"
WIZARD = PROBLEM + "diagnose/"
API = "/api/v1/diagnose?model=nissan-qashqai&problem=trunk-opens-then-closes&generation=j11"


@pytest.fixture
def draft(content):
    problem = Problem.objects.get(slug="trunk-opens-then-closes")
    problem.is_published = False
    problem.save()
    return problem


@pytest.fixture
def staff_client(client):
    user = User.objects.create_user("staff", password="pw-for-tests-123", is_staff=True)
    client.force_login(user)
    return client


def test_shipped_problems_are_published_and_new_ones_start_as_drafts(content):
    assert set(Problem.objects.values_list("is_published", flat=True)) == {True}
    assert Problem._meta.get_field("is_published").default is False


@pytest.mark.parametrize("url", [PROBLEM, FAULT, WIZARD, WIZARD + "?generation=j11"])
def test_draft_pages_are_not_found_for_an_anonymous_visitor(client, draft, url):
    assert client.get(url).status_code == 404


def test_draft_is_absent_from_lists_sitemap_search_and_api(client, draft):
    for url in ["/", "/nissan-qashqai/", "/nissan-qashqai/generations/j11/"]:
        body = client.get(url).content.decode()
        assert "trunk-opens-then-closes" not in body, url
    assert "trunk-opens-then-closes" not in sitemap_text(client)
    assert FAULT not in client.get("/search/?q=latch+striker").content.decode()
    response = client.get(API)
    assert response.status_code == 400
    assert response.json()["error"]["valid"] == ["trunk-wont-open"]  # the draft is not named
    # the published problem is untouched
    assert "trunk-wont-open" in sitemap_text(client)


def test_published_problem_is_found_by_search_and_api(client, content):
    assert FAULT in client.get("/search/?q=latch+striker").content.decode()
    assert client.get(API).status_code == 200


def test_staff_see_a_draft_with_a_banner_and_the_wizard_works(staff_client, draft):
    for url in [PROBLEM, FAULT, WIZARD + "?generation=j11"]:
        response = staff_client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert 'class="draft-banner"' in body, url
        assert '<meta name="robots" content="noindex">' in body
        assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    outcome = outcome_of(staff_client.get(WIZARD + "?generation=j11"))
    assert outcome.causes and outcome.next_question  # the engine ran on the draft's content


def test_published_pages_carry_no_draft_banner(staff_client, content):
    assert 'class="draft-banner"' not in staff_client.get(PROBLEM).content.decode()


def test_anonymous_public_page_stays_shareable(client, content):
    # The staff check must not touch the session of an anonymous visitor (Vary: Cookie).
    response = client.get(PROBLEM)
    assert "public" in response["Cache-Control"]
    assert "Cookie" not in response.get("Vary", "")


def test_a_fault_of_a_draft_is_left_out_of_a_procedure_page(client, draft):
    fault = Fault.objects.get(slug="latch-misadjusted")
    procedure = fault.procedures.first()
    body = client.get(procedure.get_absolute_url()).content.decode()
    assert fault.get_absolute_url() not in body
