"""A question must save its cost in the plan (engine.diagnose with `checks`, issue 24).

Given each fault's check in the plan (diagnosis/plan.py), a question is worth what its answer
is expected to save on the way to a fixed car, V(q) = Σ_a P(a)·(ECR(present order | a) −
ECR(best order | a)); the wizard asks on only while some question's V(q), times the chance
this owner answers it, is at least DEFAULT_VALUE_PER_COST times its cost. The chance starts at
the population's (ANSWER_RATE, worth ANSWER_WEIGHT questions) and follows the owner's own
answers: "don't know" saves nothing, and an owner who keeps not knowing is asked less.
"""

import itertools

import pytest

from diagnosis import engine, plan
from diagnosis.engine import (
    ANSWER_RATE,
    Check,
    Fault,
    Group,
    KnowledgeBase,
    Symptom,
    diagnose,
    plan_values,
    posterior,
)

RATE = 10.0  # money per minute in these cases


def remedies():
    return [
        plan.Remedy("bcm", "reflash", plan.Cost(90, 4000), plan.Cost(30, 500)),  # C = 490
        plan.Remedy("fuse", "fuse-check", plan.Cost(15, 0), plan.Cost(5, 50)),  # C = 15
        plan.Remedy("actuator", "multimeter", plan.Cost(30, 0), plan.Cost(90, 11000)),
        plan.Remedy("contacts", "multimeter", plan.Cost(30, 0), plan.Cost(20, 0)),
    ]


def checks_of(items) -> dict[str, Check]:
    return {r.fault: Check(r.check, r.check_cost.scaled(RATE)) for r in items}


# The lock's questions: effort cost and P(yes) for another cause; and P(yes) per cause.
LOCK_QUESTIONS = {
    "fuse-blown": (1.0, 0.05),
    "voltage-at-lock": (4.0, 0.9),
    "whirr": (1.0, 0.3),
    "click": (1.0, 0.3),
    "green-crust": (1.0, 0.1),
}
LOCK_ANSWERS = {
    "bcm": {"voltage-at-lock": 0.1},
    "fuse": {"fuse-blown": 0.95, "voltage-at-lock": 0.02},
    "actuator": {"whirr": 0.7},
    "contacts": {"click": 0.6, "green-crust": 0.7},
}


def lock_kb() -> KnowledgeBase:
    return KnowledgeBase(
        [Fault("bcm", 4.0), Fault("fuse", 1.5), Fault("actuator", 2.5), Fault("contacts", 2.0)],
        [Symptom(key, cost, other) for key, (cost, other) in LOCK_QUESTIONS.items()],
        {(f, s): p for f, yes in LOCK_ANSWERS.items() for s, p in yes.items()},
        [Group("sound", ("whirr", "click"))],
    )


def cost(kb: KnowledgeBase, question: str) -> float:
    return kb.group(question).cost if kb.is_group(question) else kb.symptom(question).cost


def value_by_the_plan(kb, answers, question) -> float:
    """V(question) from diagnosis/plan.py's own functions, the repairs included."""
    post = posterior(kb, answers)
    present = [
        s.check for s in plan.make_plan(post, remedies(), money_per_minute=RATE).by_cost.steps
    ]
    by_fault = {f: kb.answer_distribution(f, question) for f in post}
    value = 0.0
    for answer in by_fault["bcm"]:
        p_answer = sum(post[f] * by_fault[f][answer] for f in post)
        after = {f: post[f] * by_fault[f][answer] / p_answer for f in post}
        best = plan.make_plan(after, remedies(), money_per_minute=RATE).by_cost.expected_scaled
        now = plan.expected_cost(after, remedies(), present, money_per_minute=RATE)
        value += p_answer * (now - best)
    return value


@pytest.mark.parametrize("answers", [{}, {"voltage-at-lock": "y"}, {"whirr": "u", "click": "u"}])
def test_a_questions_value_is_what_its_answer_saves_in_the_plan(answers):
    kb = lock_kb()
    values = plan_values(kb, answers, checks_of(remedies()))
    assert set(values) == set(engine.information_gains(kb, answers))
    for question, value in values.items():
        assert value == pytest.approx(value_by_the_plan(kb, answers, question), abs=1e-9)
    assert max(values.values()) > 1.0  # some answer reorders the plan
    assert min(values.values()) == 0.0  # and some cannot


def test_an_answer_that_leaves_the_plan_as_it_is_is_worth_nothing():
    # One check settles both causes the question tells apart: the owner does the same next.
    kb = KnowledgeBase(
        [Fault("key-battery", 4.0), Fault("key-sync", 3.0), Fault("bcm", 3.0)],
        [Symptom("fresh-battery-no-help", 1.0, 0.5)],
        {
            ("key-battery", "fresh-battery-no-help"): 0.05,
            ("key-sync", "fresh-battery-no-help"): 0.9,
        },
    )
    checks = {
        "key-battery": Check("new-key-battery", 10.0),
        "key-sync": Check("new-key-battery", 10.0),
        "bcm": Check("reflash", 490.0),
    }
    assert plan_values(kb, {}, checks) == {"fresh-battery-no-help": 0.0}
    asked = diagnose(kb, {})
    assert asked.next_question == "fresh-battery-no-help"  # the information alone would ask
    stopped = diagnose(kb, {}, checks=checks)
    assert (stopped.done, stopped.stop_reason, stopped.next_question) == (
        True,
        "not-worth-its-cost",
        None,
    )
    assert stopped.candidates == asked.candidates and stopped.contrasts == ()


def test_a_question_is_asked_while_its_expected_saving_reaches_its_cost():
    kb, checks = lock_kb(), checks_of(remedies())
    values = plan_values(kb, {}, checks)
    # before any answer the owner answers with the population's chance
    best = max(ANSWER_RATE * values[q] / cost(kb, q) for q in values)
    below = diagnose(kb, {}, checks=checks, value_per_cost=best * 0.999)
    assert below.next_question == diagnose(kb, {}).next_question is not None
    above = diagnose(kb, {}, checks=checks, value_per_cost=best * 1.001)
    assert above.stop_reason == "not-worth-its-cost" and above.next_question is None
    # at 0 every question is worth its cost: the information's rule alone
    assert diagnose(kb, {}, checks=checks, value_per_cost=0.0).next_question == below.next_question


def idle_kb() -> KnowledgeBase:
    # "idle" moves no cause: answered or not, the ranking and every question's value stay.
    lock = lock_kb()
    return KnowledgeBase(
        lock.faults,
        [*lock.symptoms, Symptom("idle", 1.0, 0.5)],
        {("fuse", "fuse-blown"): 0.95, ("bcm", "voltage-at-lock"): 0.1},
    )


@pytest.mark.parametrize(
    ("answer", "chance"),
    [
        ("u", 3.5 / 6),  # (0.7·5 + 0) / (5 + 1): a "don't know" lowers it from 0.7
        ("y", 4.5 / 6),  # (0.7·5 + 1) / (5 + 1): a known answer raises it
        ("n", 4.5 / 6),
    ],
)
def test_the_chance_of_an_answer_is_the_populations_updated_by_the_owners_own(answer, chance):
    kb, checks = idle_kb(), checks_of(remedies())
    values = plan_values(kb, {"idle": answer}, checks)
    assert values == {q: v for q, v in plan_values(kb, {}, checks).items() if q != "idle"}
    best = max(values[q] / cost(kb, q) for q in values)
    # asked while chance · V(q) >= value_per_cost · cost(q) for some q: pinned within 0.5 %
    asks = diagnose(kb, {"idle": answer}, checks=checks, value_per_cost=best * chance * 0.995)
    assert asks.next_question is not None
    stops = diagnose(kb, {"idle": answer}, checks=checks, value_per_cost=best * chance * 1.005)
    assert stops.stop_reason == "not-worth-its-cost"


def test_each_dont_know_lowers_the_chance_further():
    kb, checks = idle_kb(), checks_of(remedies())
    values = plan_values(kb, {}, checks)
    best = max(values[q] / cost(kb, q) for q in values)
    two = {"idle": "u", "green-crust": "u"}  # green-crust moves no cause in idle_kb either
    # (0.7·5 + 0) / (5 + 2)
    assert diagnose(kb, two, checks=checks, value_per_cost=best * 3.5 / 7 * 0.995).next_question
    assert (
        diagnose(kb, two, checks=checks, value_per_cost=best * 3.5 / 7 * 1.005).stop_reason
        == "not-worth-its-cost"
    )


@pytest.mark.parametrize(
    "bad",
    [
        {"value_per_cost": -1.0},
        {"value_per_cost": float("nan")},
        {"checks": {"bcm": Check("k", 0)}},
    ],
)
def test_bad_stop_parameters_are_refused(bad):
    kb = lock_kb()
    checks = bad.pop("checks", checks_of(remedies()))
    with pytest.raises(ValueError):
        diagnose(kb, {}, checks=checks, **bad)


def test_an_owner_who_does_not_know_is_asked_less_at_the_defaults():
    # The fuse question saves 5.96 in the plan at cost 1: worth it at the population's chance
    # (0.7 · 5.96 = 4.17 >= 4), not after one "don't know" (3.5 / 6 · 5.96 = 3.48 < 4).
    kb, checks = lock_kb(), checks_of(remedies())
    assert plan_values(kb, {}, checks)["fuse-blown"] == pytest.approx(5.96, abs=0.01)
    assert diagnose(kb, {}, checks=checks).next_question == "fuse-blown"
    unknown = diagnose(kb, {"whirr": "u", "click": "u"}, checks=checks)
    assert unknown.stop_reason == "not-worth-its-cost"
    assert diagnose(kb, {"whirr": "u", "click": "u"}).next_question == "fuse-blown"
    # After "no voltage at the lock": 0.75 · V / cost = 4.37 >= 4, the wizard asks on; a
    # "don't know" about the green crust then leaves 9 / 14 of it, 3.75 < 4, and it stops.
    no_voltage = {"voltage-at-lock": "n"}
    assert diagnose(kb, no_voltage, checks=checks).next_question is not None
    then = diagnose(kb, {**no_voltage, "green-crust": "u"}, checks=checks)
    assert then.stop_reason == "not-worth-its-cost"


def test_checks_grouped_once_decide_as_the_checks_themselves():
    """`plan_checks` does once what `diagnose` does with `checks` on every call: each state of
    the lock's questions gets the same verdict either way."""
    kb, checks = lock_kb(), checks_of(remedies())
    grouped = engine.plan_checks(kb, checks)
    keys = list(LOCK_QUESTIONS)
    for values in itertools.product(("y", "n", "u", None), repeat=len(keys)):
        answers = {key: value for key, value in zip(keys, values, strict=True) if value}
        if answers.get("whirr") == answers.get("click") == "y":
            continue  # one answer of the sound group
        assert diagnose(kb, answers, checks=grouped) == diagnose(kb, answers, checks=checks)


def test_checks_grouped_for_one_knowledge_base_are_refused_by_another():
    grouped = engine.plan_checks(lock_kb(), checks_of(remedies()))
    other = KnowledgeBase([Fault("bcm", 1.0), Fault("fuse", 1.0)], [Symptom("fuse-blown")], {})
    with pytest.raises(ValueError, match="another knowledge base"):
        diagnose(other, {}, checks=grouped)
    # the same faults in a knowledge base built anew are the same plan's
    assert diagnose(lock_kb(), {}, checks=grouped) == diagnose(lock_kb(), {}, checks=grouped)
