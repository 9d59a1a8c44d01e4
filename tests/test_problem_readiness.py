"""A problem is public only when it works (issue 19).

A new problem is a draft and has no fault yet: the engine cannot reason with it. Such a problem,
or one the content check finds unusable, never answers 500: owners and the report form get 404,
the API its answer to an unknown problem (400, naming only public ones); staff get its wizard with a “not ready” banner naming what is missing. The admin
refuses to publish a problem while the content check has a blocking finding for it.
"""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from kb.models import Problem, QuestionGroup, Symptom, VehicleModel
from kb.validation import readiness
from tests.test_seo import sitemap_text

pytestmark = pytest.mark.django_db

MODEL = "nissan-qashqai"
EMPTY = "squeaks-somewhere"
WIZARD = f"/{MODEL}/{EMPTY}/diagnose/"
API = f"/api/v1/diagnose?model={MODEL}&problem={EMPTY}&generation=j11"


@pytest.fixture
def empty_draft(content):
    """What an editor has after the first save of a new problem: a draft without faults."""
    return Problem.objects.create(
        vehicle_model=VehicleModel.objects.get(slug=MODEL),
        slug=EMPTY,
        title="Squeaks somewhere",
        summary="A squeak.",
        introduction="Not written yet.",
    )


@pytest.fixture
def staff(client):
    user = User.objects.create_user("staff", password="pw-for-tests-123", is_staff=True)
    client.force_login(user)
    return client


@pytest.fixture
def anonymous():
    return Client(raise_request_exception=False)


@pytest.mark.parametrize(
    "url",
    [WIZARD, WIZARD + "?generation=j11", WIZARD + "qr.svg?generation=j11", WIZARD + "print/"],
)
def test_an_empty_draft_is_not_found_by_an_anonymous_visitor(anonymous, empty_draft, url):
    assert anonymous.get(url).status_code == 404


def test_the_api_answers_an_empty_draft_as_an_unknown_problem(anonymous, empty_draft):
    response = anonymous.get(API)
    assert response.status_code == 400  # the API's answer to an unknown problem
    assert response.json()["error"]["part"] == "problem"
    assert EMPTY not in response.json()["error"]["valid"]  # a draft is named to no one


def test_a_report_about_an_empty_draft_is_not_found(anonymous, empty_draft):
    response = anonymous.post(WIZARD + "report/", {"fault": "other", "generation": "j11"})
    assert response.status_code == 404


@pytest.mark.parametrize("query", ["", "?generation=j11", "?generation=j11&answers=x:y"])
def test_staff_see_an_empty_draft_wizard_saying_what_is_missing(staff, empty_draft, query):
    response = staff.get(WIZARD + query)
    assert response.status_code in (200, 400)  # 400: the query names an unknown answer
    body = response.content.decode()
    assert "Not ready" in body
    assert "no fault yet" in body
    assert "public" not in response["Cache-Control"]


def test_a_published_problem_that_stopped_working_is_hidden_not_a_500(anonymous, content):
    problem = Problem.objects.get(slug="trunk-opens-then-closes")
    problem.faults.all().delete()  # published, then emptied
    assert anonymous.get(f"/{MODEL}/trunk-opens-then-closes/diagnose/").status_code == 404
    api = f"/api/v1/diagnose?model={MODEL}&problem=trunk-opens-then-closes&generation=j11"
    response = anonymous.get(api)
    assert response.status_code == 400
    assert response.json()["error"]["part"] == "problem"


def test_a_published_problem_without_faults_leaves_the_home_page_and_the_sitemap(
    anonymous, content, django_capture_on_commit_callbacks
):
    slug = "trunk-opens-then-closes"
    assert f"/{MODEL}/{slug}/" in anonymous.get("/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        Problem.objects.get(slug=slug).faults.all().delete()
    assert f"/{MODEL}/{slug}/" not in anonymous.get("/").content.decode()
    assert f"/{MODEL}/{slug}/" not in anonymous.get(f"/{MODEL}/").content.decode()
    assert f"/{MODEL}/{slug}/" not in sitemap_text(anonymous)
    assert anonymous.get(f"/{MODEL}/{slug}/").status_code == 404
    assert Problem.objects.published().filter(slug="trunk-wont-open").exists()


def publish_in_admin(client, problem):
    url = reverse("admin:kb_problem_change", args=[problem.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value for name in form.fields if (value := form[name].value()) not in (None, False)
    }
    data["is_published"] = "on"
    return client.post(url, data)


def test_publishing_an_empty_problem_in_the_admin_is_refused_with_the_reason(
    admin_client, empty_draft
):
    response = publish_in_admin(admin_client, empty_draft)
    assert response.status_code == 200  # the form again, not a redirect
    errors = response.context["adminform"].form.errors["is_published"]
    assert any("no fault yet" in error for error in errors)
    empty_draft.refresh_from_db()
    assert not empty_draft.is_published


def test_a_question_group_with_one_member_keeps_its_problem_from_being_published(
    admin_client, content
):
    group = next(g for g in QuestionGroup.objects.all() if g.members.count() >= 2)
    problem = group.problem
    Symptom.objects.filter(pk__in=list(group.members.values_list("pk", flat=True))[1:]).update(
        group=None
    )
    Problem.objects.filter(pk=problem.pk).update(is_published=False)

    response = publish_in_admin(admin_client, problem)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["is_published"]
    assert any("needs 2" in error for error in errors)
    problem.refresh_from_db()
    assert not problem.is_published
    assert any("member" in reason for reason in readiness(problem))


def test_the_shipped_problems_stay_published_and_work(admin_client, anonymous, content):
    for problem in Problem.objects.select_related("vehicle_model"):
        assert problem.is_published
        assert readiness(problem) == [], problem
        wizard = f"/{problem.vehicle_model.slug}/{problem.slug}/diagnose/"
        assert anonymous.get(wizard).status_code == 200
        # saving it unchanged in the admin keeps it published
        assert publish_in_admin(admin_client, problem).status_code == 302
