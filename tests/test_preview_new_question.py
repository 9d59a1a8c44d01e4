"""A new question is previewed from its add page: the problem's test cases are played with it
in place, so the editor sees whether the wizard would ask it within its budget, in which cases
and after how many questions, before saving it (issue 21, item 4)."""

import pytest
from django.urls import reverse

from diagnosis.models import ScenarioCase
from kb.models import Fault, Generation, Likelihood, Symptom

pytestmark = pytest.mark.django_db

QUESTION = "Are the wires in the rubber boot between the body and the lid cracked or broken?"
SLUG = "wires-rubber-boot-between-body-lid-cracked-broken"
HARNESS = "trunk-lid-wiring-harness-broken-hinge"


@pytest.fixture
def harness(content):
    """The new cause, saved: silent on a press, the doors fine, as a broken wire would do."""
    battery = Fault.objects.get(slug="car-battery-discharged", problem__slug="trunk-wont-open")
    fault = Fault.objects.create(
        problem=battery.problem,
        group=battery.group,
        slug=HARNESS,
        name="Trunk lid wiring harness broken at the hinge",
        category="electrical",
        share=0.2,
    )
    others = Fault.objects.filter(group=battery.group, problem=battery.problem).exclude(pk=fault.pk)
    for other in others:
        other.share = round(other.share * 0.8, 4)
        other.save()
    for symptom, p_yes in {"no-sound-on-press": 0.9, "doors-lock-unlock-ok": 0.95}.items():
        Likelihood.objects.create(
            fault=fault, symptom=Symptom.objects.get(slug=symptom), p_yes=p_yes
        )
    return fault


@pytest.fixture
def harness_case(harness):
    """The shop's own case, written before the question exists: it names the question to be."""
    return ScenarioCase.objects.create(
        problem=harness.problem,
        generation=Generation.objects.get(code="j11"),
        name="J11: silence, doors fine, the wires at the hinge are broken",
        slug="j11-harness",
        facts={
            SLUG: "y",
            "no-sound-on-press": "y",
            "doors-lock-unlock-ok": "y",
            "car-electrics-weak": "n",
            "key-not-detected": "n",
            "fuse-intact": "y",
        },
        first=HARNESS,
    )


def new_question(client, harness, p_yes, p_otherwise="0.05"):
    """Preview the add form of the question with one likelihood: the harness's."""
    data = {
        "problem": harness.problem_id,
        "slug": "",
        "question_en": QUESTION,
        "statement_en": "the wires at the hinge are broken",
        "effort": "1",
        "p_yes_otherwise_0": "exact",
        "p_yes_otherwise_1": str(float(p_otherwise) * 100),
        "order": "0",
        "likelihoods-TOTAL_FORMS": "1",
        "likelihoods-INITIAL_FORMS": "0",
        "likelihoods-0-fault": harness.pk,
        "likelihoods-0-p_yes_0": "exact",
        "likelihoods-0-p_yes_1": str(p_yes * 100),
    }
    response = client.post(reverse("admin:kb_symptom_add") + "preview/", data)
    assert response.status_code == 200
    assert not response.context["errors"], response.context["errors"]
    return response


def j11(response):
    return next(g for g in response.context["generations"] if g.generation.startswith("J11 ("))


def test_the_add_page_of_a_question_offers_the_preview(admin_client, content):
    page = admin_client.get(reverse("admin:kb_symptom_add")).content.decode()
    assert 'formaction="preview/"' in page


def test_a_telling_new_question_is_asked_and_brings_the_case_through(admin_client, harness_case):
    response = new_question(admin_client, harness_case.problem.faults.get(slug=HARNESS), 0.95)
    (case,) = [c for c in j11(response).cases if c.name == harness_case.name]
    assert not case.before.passes  # without the question the harness is not told apart
    assert case.before.asked_at is None
    assert case.after.asked_at is not None and case.after.asked_at <= case.after.questions
    assert case.after.passes and case.after.first == "Trunk lid wiring harness broken at the hinge"
    assert not Symptom.objects.filter(slug=SLUG).exists()  # nothing saved
    page = response.content.decode()
    assert f"asks it as question {case.after.asked_at}" in page
    assert "the wizard asks the question in" in page
    before, after = j11(response).mean_questions
    cases = j11(response).cases  # the page's figures are the cases' own
    assert after == sum(c.after.questions for c in cases) / len(cases)
    assert f"{before:.2f} now, {after:.2f} with your edit (the target is 5 or fewer)" in page


def test_a_question_that_tells_nothing_is_not_asked(admin_client, harness_case):
    # "yes" as often with the harness as with any other cause: nothing to learn from it
    response = new_question(admin_client, harness_case.problem.faults.get(slug=HARNESS), 0.05)
    generation = j11(response)
    assert not generation.asking_after
    (case,) = [c for c in generation.cases if c.name == harness_case.name]
    assert not case.after.passes
    assert "does not ask it" in response.content.decode()


def test_a_new_option_of_an_exclusive_question_is_previewed_as_one(admin_client, harness):
    from kb.models import QuestionGroup

    group = QuestionGroup.objects.get(slug="press-result")
    response = admin_client.post(
        reverse("admin:kb_symptom_add") + "preview/",
        {
            "problem": harness.problem_id,
            "group": group.pk,
            "option_label_en": "Only the trunk light flickers",
            "slug": "",
            "question_en": "When you press the button, does only the trunk light flicker?",
            "statement_en": "only the trunk light flickers",
            "effort": "1",
            "p_yes_otherwise_0": "exact",
            "p_yes_otherwise_1": "2",
            "order": "0",
            "likelihoods-TOTAL_FORMS": "1",
            "likelihoods-INITIAL_FORMS": "0",
            "likelihoods-0-fault": harness.pk,
            "likelihoods-0-p_yes_0": "exact",
            "likelihoods-0-p_yes_1": "5",
        },
    )
    assert not response.context["errors"], response.context["errors"]
    (question,) = j11(response).questions
    assert question.slug == "press-result"  # the group is asked, with the new option in it
    labels = [answer.label for answer in question.answers]
    assert "Only the trunk light flickers" in labels
