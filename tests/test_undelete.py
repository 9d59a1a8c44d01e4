"""Issue 19, item 6: every delete can be undone.

Each content model is deleted through the admin and restored from "Recently deleted" through
the admin; the public pages (home, vehicle, FAQ, problem, fault, procedure and generation
pages, the wizard and the API at a few answer states, in English and Russian, the sitemap) must
then be exactly what they were.
"""

import re

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from kb.models import (
    Deletion,
    FaqEntry,
    Fault,
    FaultGroup,
    FaultRate,
    Generation,
    Likelihood,
    Make,
    ProbabilityWord,
    Problem,
    Procedure,
    QuestionGroup,
    RateLevel,
    SafetyWarning,
    Step,
    Symptom,
    VehicleModel,
)

pytestmark = pytest.mark.django_db
PAGE = "/admin/recently-deleted/"
MODEL = "nissan-qashqai"


def public_urls() -> list[str]:
    urls = ["/", "/ru/", f"/{MODEL}/", f"/{MODEL}/faq/", f"/ru/{MODEL}/faq/", "/sitemap.xml"]
    urls.append(f"/sitemaps/models/{MODEL}.xml")
    urls += [f"/{MODEL}/generations/{g.code}/" for g in Generation.objects.all()]
    urls += [f"/{MODEL}/procedures/{p.slug}/" for p in Procedure.objects.all()]
    for problem in Problem.objects.all():
        base = f"/{MODEL}/{problem.slug}/"
        urls += [base, f"/ru{base}"]
        urls += [f"{base}faults/{f.slug}/" for f in problem.faults.all()]
        symptoms = list(problem.symptoms.order_by("slug").values_list("slug", flat=True))[:3]
        states = ["", f"{symptoms[0]}:y", f"{symptoms[0]}:n,{symptoms[1]}:y,{symptoms[2]}:u"]
        # an answer to each question with exclusive answers: one member chosen
        states += [
            f"{group.members.order_by('slug').first().slug}:y"
            for group in problem.question_groups.all()
        ]
        for answers in states:
            query = f"generation=j11&answers={answers}"
            urls += [f"{base}diagnose/?{query}", f"/ru{base}diagnose/?{query}"]
            urls.append(f"/api/v1/diagnose?model={MODEL}&problem={problem.slug}&{query}")
    return urls


VARYING = [
    re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'),
    re.compile(r'nonce="[^"]*"'),
    re.compile(r'name="report_token" value="[^"]*"'),  # signed with the time
]


def snapshot(client, urls) -> dict[str, tuple[int, str]]:
    pages = {}
    for url in urls:
        response = client.get(url, follow=True)
        body = response.content.decode()
        for pattern in VARYING:
            body = pattern.sub("", body)
        pages[url] = (response.status_code, body)
    return pages


@pytest.fixture
def superuser(client):
    user = User.objects.create_superuser("boss", password="pw-for-tests-123")
    return user


def staff(name: str, group: str) -> User:
    user = User.objects.create_user(name, password="pw-for-tests-123", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def delete_in_admin(client, obj) -> int:
    url = reverse(f"admin:kb_{obj._meta.model_name}_delete", args=[obj.pk])
    return client.post(url, {"post": "yes"}).status_code


def restore_latest(client):
    deletion = Deletion.objects.filter(restored=None).latest("date")
    response = client.post(PAGE, {"deletion": deletion.pk}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


# model -> the object to delete: one each delete reaches far (links, emptied references)
TARGETS = {
    "vehiclemodel": lambda: VehicleModel.objects.get(slug=MODEL),
    "generation": lambda: Generation.objects.get(code="j11"),
    "problem": lambda: Problem.objects.get(slug="trunk-wont-open"),
    "faultrate": lambda: FaultRate.objects.filter(generation__code="j11").first(),
    "fault": lambda: Fault.objects.get(slug="lock-frozen"),
    "symptom": lambda: Symptom.objects.get(slug="freezing-temperature"),
    "questiongroup": lambda: QuestionGroup.objects.get(slug="press-result"),
    "likelihood": lambda: Likelihood.objects.get(
        fault__slug="lock-frozen", symptom__slug="freezing-temperature"
    ),
    # the emergency procedure: problems point to it (SET_NULL), faults and FAQ entries link it
    "procedure": lambda: Problem.objects.get(slug="trunk-wont-open").emergency_procedure,
    "step": lambda: Step.objects.filter(warning__isnull=False).first(),
    "safetywarning": lambda: SafetyWarning.objects.filter(steps__isnull=False).first(),
    "faqentry": lambda: FaqEntry.objects.filter(procedures__isnull=False).first(),
    "probabilityword": lambda: ProbabilityWord.objects.first(),
}


@pytest.mark.parametrize("model", TARGETS)
def test_a_delete_and_its_restore_leave_every_public_page_as_it_was(
    client, superuser, content, model, django_capture_on_commit_callbacks
):
    urls = public_urls()
    before = snapshot(client, urls)
    obj = TARGETS[model]()
    assert obj is not None
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        assert delete_in_admin(client, obj) == 302
    assert not type(obj).objects.filter(pk=obj.pk).exists()
    client.logout()
    if model != "probabilityword":  # the words are the admin's, not the public pages'
        assert snapshot(client, urls) != before, "the delete changed no public page"
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        body = restore_latest(client)
    assert "Restored" in body
    client.logout()
    after = snapshot(client, urls)
    changed = [url for url in urls if after[url] != before[url]]
    assert changed == []


@pytest.mark.parametrize("model", [Make, FaultGroup, RateLevel])
def test_what_content_hangs_on_is_refused_rather_than_deleted(client, superuser, content, model):
    """PROTECT: a make with models, a fault type with faults, a level in use."""
    client.force_login(superuser)
    obj = model.objects.first()
    delete_in_admin(client, obj)
    assert model.objects.filter(pk=obj.pk).exists()
    assert not Deletion.objects.exists()


def test_restoring_the_whole_slams_shut_problem_brings_back_all_of_it(client, superuser, content):
    problem = Problem.objects.get(slug="trunk-opens-then-closes")
    counts = (3, 5, 15)
    assert (
        problem.faults.count(),
        problem.symptoms.count(),
        Likelihood.objects.filter(fault__problem=problem).count(),
    ) == counts
    procedures = {
        f.slug: set(f.procedures.values_list("pk", flat=True)) for f in problem.faults.all()
    }
    faq = set(problem.faq_entries.values_list("pk", flat=True))
    client.force_login(superuser)
    client.raise_request_exception = True
    assert delete_in_admin(client, problem) == 302
    listed = client.get(PAGE).content.decode()
    assert "Trunk opens but slams shut" in listed
    assert "Faults: 3" in listed and "Likelihoods: 15" in listed
    body = restore_latest(client)
    assert "Restored problem" in body
    problem = Problem.objects.get(pk=problem.pk)
    assert (
        problem.faults.count(),
        problem.symptoms.count(),
        Likelihood.objects.filter(fault__problem=problem).count(),
    ) == counts
    assert {
        f.slug: set(f.procedures.values_list("pk", flat=True)) for f in problem.faults.all()
    } == procedures
    assert set(problem.faq_entries.values_list("pk", flat=True)) == faq
    assert "Nothing deleted recently" in client.get(PAGE).content.decode()
    # each restored object's history says so
    fault = problem.faults.first()
    assert fault.history.first().history_change_reason == "Restored from Recently deleted"


def test_a_restored_procedure_is_linked_again_and_its_history_says_so(client, superuser, content):
    procedure = Procedure.objects.filter(faults__isnull=False, faq_entries__isnull=False).first()
    faults = set(procedure.faults.values_list("pk", flat=True))
    entries = set(procedure.faq_entries.values_list("pk", flat=True))
    client.force_login(superuser)
    delete_in_admin(client, procedure)
    assert "2 links restored" in restore_latest(client) or len(faults | entries) != 2
    procedure = Procedure.objects.get(pk=procedure.pk)
    assert set(procedure.faults.values_list("pk", flat=True)) == faults
    assert set(procedure.faq_entries.values_list("pk", flat=True)) == entries
    # the fault's history records the link coming back, so a revert keeps it
    fault = Fault.objects.get(pk=min(faults))
    latest = fault.history.first()
    assert latest.history_change_reason == "Restored from Recently deleted"
    assert procedure.pk in set(latest.procedures.values_list("procedure_id", flat=True))


def test_a_deletion_is_restored_once(client, superuser, content):
    client.force_login(superuser)
    delete_in_admin(client, Fault.objects.get(slug="lock-frozen"))
    deletion = Deletion.objects.get()
    client.post(PAGE, {"deletion": deletion.pk})
    response = client.post(PAGE, {"deletion": deletion.pk}, follow=True)
    assert "already been restored" in response.content.decode()
    response = client.post(PAGE, {"deletion": "999999"}, follow=True)
    assert "not recorded" in response.content.decode()


def test_a_restore_whose_parent_is_gone_is_a_message_and_restores_nothing(
    client, superuser, content
):
    client.force_login(superuser)
    fault = Fault.objects.get(slug="lock-frozen")
    delete_in_admin(client, fault)
    fault_deletion = Deletion.objects.get()
    delete_in_admin(client, fault.problem)
    response = client.post(PAGE, {"deletion": fault_deletion.pk}, follow=True)
    assert response.status_code == 200
    assert "deleted since: restore that first" in response.content.decode()
    assert not Fault.objects.filter(pk=fault.pk).exists()


def test_a_restored_row_todays_validation_rejects_is_restored_and_reported(
    client, superuser, content
):
    client.force_login(superuser)
    fault = Fault.objects.get(slug="lock-frozen")
    delete_in_admin(client, fault)
    deletion = Deletion.objects.get()
    assert deletion.rows[0]["model"] == "kb.fault"
    deletion.rows[0]["fields"]["slug"] = "search"  # reserved since: the database takes it
    deletion.save()
    body = client.post(PAGE, {"deletion": deletion.pk}, follow=True).content.decode()
    assert "Restored" in body and "fix it in the admin" in body and "slug" in body
    assert Fault.objects.get(pk=fault.pk).likelihoods.exists()
