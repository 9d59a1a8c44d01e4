"""Tools change the questions: "I have a multimeter" (the answer token `have:multimeter`,
parsed by diagnosis/query.py like every answer and kept in the state's one URL) makes the
questions that need one cost as a check at the car, so the wizard asks them when they decide
the case (content.TOOLS)."""

import pytest
from scenario_cases import MODEL, PROBLEM

from diagnosis import engine, service
from diagnosis.content import EFFORT_COST, build
from diagnosis.query import Answers, canonical_answers, parse, state_query
from diagnosis.scenarios import owner_choice

pytestmark = pytest.mark.django_db

J11_SILENCE_DOORS_FINE = {
    "no-sound-on-press": "y",
    "motor-clicks-lid-stays": "n",
    "doors-lock-unlock-ok": "y",
    "key-button-dead-lid-button-works": "n",
    "key-button-works-lid-button-dead": "n",
    "handle-no-resistance": "n",
    "handle-stiff": "n",
    "voltage-at-lock": "y",
}


def play(compiled, generation, facts, tools=()):
    """The simulated owner (diagnosis/scenarios.py) with tools: the questions asked."""
    info = compiled.generations_by_code[generation]
    answers = Answers(tools=tools)
    asked = []
    for _ in range(len(compiled.symptoms) + 1):
        outcome = service.diagnose(compiled, info, answers)
        if outcome.done or outcome.next_question is None:
            return asked, outcome
        asked.append(outcome.next_question.slug)
        answers.update(owner_choice(outcome.next_question.options, facts).answers)
    raise AssertionError("no end")


def test_with_a_multimeter_the_wizard_asks_the_voltage_at_the_lock(content):
    compiled = build(MODEL, PROBLEM)
    without, _ = play(compiled, "j11", J11_SILENCE_DOORS_FINE)
    assert "voltage-at-lock" not in without
    asked, outcome = play(compiled, "j11", J11_SILENCE_DOORS_FINE, tools=("multimeter",))
    assert "voltage-at-lock" in asked
    assert len(asked) <= engine.DEFAULT_MAX_QUESTIONS
    assert outcome.causes[0].fault.slug == "lock-actuator-failed"


def test_a_tool_lowers_only_the_questions_that_need_it(content):
    compiled = build(MODEL, PROBLEM)
    plain = compiled.knowledge_bases["j11"]
    handy = compiled.knowledge_base("j11", ("multimeter",))
    assert compiled.knowledge_base("j11") is plain
    assert plain.symptom("voltage-at-lock").cost == EFFORT_COST[3]
    assert handy.symptom("voltage-at-lock").cost == EFFORT_COST[2]
    for symptom in plain.symptoms:
        if symptom.key != "voltage-at-lock":
            assert handy.symptom(symptom.key).cost == symptom.cost
    # the probabilities do not change
    answers = {"no-sound-on-press": "y", "voltage-at-lock": "n"}
    assert engine.posterior(handy, answers) == engine.posterior(plain, answers)


def test_the_tool_token_is_parsed_apart_from_the_answers_and_kept_in_the_url(content):
    compiled = build(MODEL, PROBLEM)
    query = parse(compiled, {"generation": "j11", "answers": "no-sound-on-press:y,have:multimeter"})
    assert not query.errors
    assert dict(query.answers) == {"no-sound-on-press": "y"}
    assert query.answers.tools == ("multimeter",)
    assert canonical_answers(query.answers) == "have:multimeter,no-sound-on-press:y"
    only_tools = Answers(tools=("multimeter",))
    assert state_query(query.generation, only_tools) == "generation=j11&answers=have:multimeter"


def test_an_unknown_tool_is_named_and_left_out(content):
    compiled = build(MODEL, PROBLEM)
    query = parse(compiled, {"generation": "j11", "answers": "have:laser,no-sound-on-press:y"})
    assert [error.valid for error in query.errors] == [("multimeter",)]
    assert query.answers.tools == ()
    assert dict(query.answers) == {"no-sound-on-press": "y"}


def test_the_wizard_offers_the_multimeter_and_keeps_it_in_every_link(client, content):
    page = client.get(f"/{MODEL}/{PROBLEM}/diagnose/?generation=j11")
    html = page.content.decode()
    assert "I have a multimeter" in html
    assert "answers=have:multimeter" in html
    page = client.get(f"/{MODEL}/{PROBLEM}/diagnose/?generation=j11&answers=have:multimeter")
    assert page.status_code == 200
    html = page.content.decode()
    assert "You have a multimeter" in html
    assert "have:multimeter,which-button-works" not in html  # a group's tokens, not its slug
    option_links = [
        line for line in html.splitlines() if "button-answer" in line and "href=" in line
    ]
    assert option_links and all("have:multimeter" in line for line in option_links)


def test_the_tool_token_in_another_order_redirects_to_the_one_url(client, content):
    response = client.get(
        f"/{MODEL}/{PROBLEM}/diagnose/",
        {"generation": "j11", "answers": "no-sound-on-press:y,have:multimeter"},
    )
    assert response.status_code == 301
    assert response["Location"].endswith("answers=have:multimeter,no-sound-on-press:y")


def test_the_api_keeps_the_tool_in_its_answers(client, content):
    data = client.get(
        "/api/v1/diagnose",
        {
            "model": MODEL,
            "problem": PROBLEM,
            "generation": "j11",
            "answers": "have:multimeter,no-sound-on-press:y",
        },
    ).json()
    assert data["answers"] == "have:multimeter,no-sound-on-press:y"
