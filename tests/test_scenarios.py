"""The article's cases, the shipped test cases (fixtures/scenario-cases.json), played by the
project's simulated owner (diagnosis/scenarios.py) as the content check plays them.

The owner answers what the wizard asks from the case's facts and "don't know" otherwise. Every
case must reach a result (done) within the question budget with its expected causes in the
top three, and the API must give the same ranking for the same answers; over the whole set the
expected cause ranks first in at least 95 % of the cases and the wizard asks at most five
questions on average (docs/design.md, "Targets").
"""

import pytest
from scenario_cases import (
    FIRST_RANKINGS,
    LITTLE_FIRST_TARGET,
    LITTLE_KNOWN,
    MODEL,
    PROBLEM,
    fixture_cases,
    play_all,
    play_little,
)

from diagnosis.content import build
from diagnosis.models import ScenarioCase
from diagnosis.query import canonical_answers
from diagnosis.scenarios import FIRST_TARGET, MAX_QUESTIONS, MEAN_QUESTIONS_TARGET, Summary
from diagnosis.validation import play_case
from kb.models import Fault, FaultRate, Generation
from tests.design_contract import DESIGN_FAULTS

pytestmark = pytest.mark.django_db

SHIPPED = fixture_cases()


@pytest.fixture
def api(client):
    def get_json(params):
        response = client.get("/api/v1/diagnose", params)
        assert response.status_code == 200, response.content
        return response.json()

    return get_json


def test_the_scenario_set_covers_the_article():
    assert len(SHIPPED) >= 30
    assert {case["generation"][1] for case in SHIPPED} == {"j10", "j11", "j11-facelift", "j12"}
    expected = DESIGN_FAULTS["trunk-wont-open"]
    assert {case["first"] for case in SHIPPED} == expected


def test_the_shipped_cases_are_loaded_with_the_content(content):
    assert sorted(case.slug for case, _ in play_all()) == sorted(c["slug"] for c in SHIPPED)


@pytest.mark.parametrize("slug", [case["slug"] for case in SHIPPED])
def test_each_case_reaches_a_result_with_its_causes_in_the_top_three(api, content, slug):
    case = ScenarioCase.objects.get(problem__slug=PROBLEM, slug=slug)
    verdict = play_case(build(MODEL, PROBLEM), case)
    played = verdict.played
    asked = [step.slug for step in played.steps]
    assert played.outcome.done, f"still asking after {asked}"
    assert played.questions <= MAX_QUESTIONS
    assert verdict.passes, f"top three {played.ranking[:3]} after {asked}"
    # The API, given the same answers, is done with the same ranking.
    data = api(
        {
            "model": MODEL,
            "problem": PROBLEM,
            "generation": case.generation.code,
            "answers": canonical_answers(played.outcome.answers),
        }
    )
    assert data["done"]
    assert [c["fault"] for c in data["candidates"]] == played.ranking


def test_the_expected_cause_ranks_first_in_95_percent_and_within_5_questions_on_average(
    content,
):
    played = play_all()
    summary = Summary(tuple(verdict for _, verdict in played))
    missed = [case.name for case, verdict in played if not verdict.first_ranks_first]
    assert summary.first_share >= FIRST_TARGET == 0.95, missed
    assert len(missed) <= 1  # 31 of the 32 (docs/testing.md)
    assert summary.mean_questions <= MEAN_QUESTIONS_TARGET == 5
    assert summary.max_questions <= MAX_QUESTIONS == 8


def test_owners_who_know_little_get_their_cause_in_the_top_three_and_90_percent_first(content):
    """Most of their answers are "don't know": the wizard must not stop on what is mostly the
    prior (engine.CLEAR_LIFT), and still end within the budget with the cause in the top three."""
    assert len(LITTLE_KNOWN) >= 12
    played = play_little()
    missing = [(case[1], v.played.ranking[:3]) for case, v in played if not v.passes]
    assert not missing
    summary = Summary(tuple(verdict for _, verdict in played))
    late = [case[1] for case, v in played if v.first_ranks_first is False]
    assert summary.first_share >= LITTLE_FIRST_TARGET, late
    assert summary.max_questions <= MAX_QUESTIONS
    for _, verdict in played:
        assert verdict.played.outcome.done


def test_the_whole_set_asks_at_most_five_questions_on_average(content):
    """The shipped cases and the owners who know little together (51 owners): the wizard asks
    on only while a question saves its cost in the plan (engine.DEFAULT_VALUE_PER_COST), so a
    question that only tells apart causes one check settles, or one put to an owner who keeps
    not knowing, is left out; at most one expected cause of either set loses first place."""
    played = [*play_all(), *play_little()]
    summary = Summary(tuple(verdict for _, verdict in played))
    assert len(summary.verdicts) == len(SHIPPED) + len(LITTLE_KNOWN)
    assert summary.mean_questions <= MEAN_QUESTIONS_TARGET == 5
    assert summary.max_questions <= MAX_QUESTIONS
    assert summary.first_share >= FIRST_TARGET
    assert all(verdict.passes for _, verdict in played)


def test_an_owner_who_knows_little_is_not_stopped_on_the_prior(content):
    """The issue's case: on a J10 the cable starts near the top; "don't know" twice and a lock
    that whirrs made it 65 %, not twice its start: the wizard asks on (the handle's feel) and
    finds the frozen lock."""
    (verdict,) = [v for case, v in play_little() if case[1] == "j10-little-frost-after-wash"]
    asked = [step.slug for step in verdict.played.steps]
    assert "handle-feel" in asked
    assert verdict.first_ranks_first


def table_chances(generation: str) -> dict[str, float]:
    """Each fault's starting chance read from the content's rows, not from the engine: its
    type's level weight in the generation times its share of the type, over the problem."""
    weights = {}
    for fault in Fault.objects.filter(
        problem__vehicle_model__slug=MODEL, problem__slug=PROBLEM
    ).select_related("group"):
        rate = FaultRate.objects.select_related("level").get(
            group=fault.group, generation__vehicle_model__slug=MODEL, generation__code=generation
        )
        weights[fault.slug] = rate.level.weight * fault.share
    total = sum(weights.values())
    return {slug: weight / total for slug, weight in weights.items()}


def test_every_generation_has_its_first_ranking(content):
    codes = Generation.objects.filter(vehicle_model__slug=MODEL).values_list("code", flat=True)
    assert set(FIRST_RANKINGS) == set(codes)


@pytest.mark.parametrize("generation", sorted(FIRST_RANKINGS))
def test_the_first_ranking_follows_the_table(api, content, generation):
    data = api({"model": MODEL, "problem": PROBLEM, "generation": generation})
    ranked = [(c["fault"], c["probability"]) for c in data["candidates"]]
    chances = table_chances(generation)
    assert {fault for fault, _ in ranked} == set(chances)
    for fault, probability in ranked:
        assert probability == pytest.approx(chances[fault], abs=1e-4), fault
    probabilities = [probability for _, probability in ranked]
    assert probabilities == sorted(probabilities, reverse=True)  # best first
    leaders = FIRST_RANKINGS[generation]
    assert {fault for fault, _ in ranked[: len(leaders)]} == leaders, ranked[:4]


def test_old_cars_start_with_the_cable_and_the_handle(api, content):
    data = api({"model": MODEL, "problem": PROBLEM, "generation": "j10"})
    assert {c["fault"] for c in data["candidates"][:2]} == {"release-cable-broken", "handle-broken"}


def test_year_stands_for_its_generation(client, content):
    """The year is accepted and redirected (301) to its generation, the state's one URL."""
    response = client.get("/api/v1/diagnose", {"model": MODEL, "problem": PROBLEM, "year": "2019"})
    assert response.status_code == 301
    by_year = client.get(response["Location"]).json()
    assert by_year["generation"] == "j11-facelift"
