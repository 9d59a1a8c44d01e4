"""The plan (diagnosis/plan.py): what to do, in the order that costs least to a fixed car.

With one fault present, taking the checks in decreasing probability / cost minimises the
expected cost of the repair (Heckerman, Breese & Rommelse 1995):
ECR = Σ_i C_i · (1 − Σ_{j<i} p_j) + Σ_f π_f · r_f. The pure functions are checked on tiny
hand-made cases against the formula and against every other order; the shipped content on
the article's cases (J12: the fuse before the BCM; J11: the voltage at the lock decides).
"""

import itertools

import pytest
from scenario_cases import MODEL, PROBLEM

from diagnosis import engine, plan, service
from diagnosis.content import build

RATE = 10.0  # money per minute in these cases


def remedies():
    return [
        plan.Remedy("bcm", "reflash", plan.Cost(90, 4000)),  # C = 490
        plan.Remedy("fuse", "fuse-check", plan.Cost(15, 0)),  # C = 15
        plan.Remedy("actuator", "multimeter", plan.Cost(30, 0), plan.Cost(90, 11000)),
        plan.Remedy("contacts", "multimeter", plan.Cost(30, 0), plan.Cost(20, 0)),
    ]


POSTERIOR = {"bcm": 0.5, "fuse": 0.1, "actuator": 0.25, "contacts": 0.15}


def test_the_plan_takes_the_checks_by_probability_over_cost():
    made = plan.make_plan(POSTERIOR, remedies(), money_per_minute=RATE)
    # p/C: multimeter 0.4/30, fuse 0.1/15, reflash 0.5/490
    assert [s.check for s in made.by_cost.steps] == ["multimeter", "fuse-check", "reflash"]
    assert [s.check for s in made.by_probability.steps] == ["reflash", "multimeter", "fuse-check"]


def test_one_check_settles_every_cause_it_tells_and_is_paid_once():
    made = plan.make_plan(POSTERIOR, remedies(), money_per_minute=RATE)
    first = made.by_cost.steps[0]
    assert first.faults == ("actuator", "contacts")  # the likelier first
    assert first.probability == pytest.approx(0.4)
    assert first.check_cost == plan.Cost(30, 0)


def test_the_expected_cost_is_the_formula_worked_by_hand():
    made = plan.make_plan(POSTERIOR, remedies(), money_per_minute=RATE)
    # checks: 30·1 + 15·0.6 + 90·0.5 minutes; 4000·0.5 money; repairs paid when found:
    # 0.25·(90 min, 11000) + 0.15·(20 min, 0)
    minutes = 30 + 15 * 0.6 + 90 * 0.5 + 0.25 * 90 + 0.15 * 20
    money = 4000 * 0.5 + 0.25 * 11000
    assert made.by_cost.expected.minutes == pytest.approx(minutes)
    assert made.by_cost.expected.money == pytest.approx(money)
    assert made.by_cost.expected_scaled == pytest.approx(minutes + money / RATE)
    # probability order: reflash first (reached always), then multimeter (0.5), fuse (0.1)
    p_minutes = 90 + 30 * 0.5 + 15 * 0.1 + 0.25 * 90 + 0.15 * 20
    p_money = 4000 + 0.25 * 11000
    assert made.by_probability.expected.minutes == pytest.approx(p_minutes)
    assert made.by_probability.expected.money == pytest.approx(p_money)
    assert made.saving == pytest.approx(p_minutes + p_money / RATE - minutes - money / RATE)


@pytest.mark.parametrize("seed", range(20))
def test_no_other_order_costs_less_than_the_plan(seed):
    import random

    rng = random.Random(seed)
    keys = [f"f{i}" for i in range(5)]
    weights = [rng.random() + 0.01 for _ in keys]
    posterior = {k: w / sum(weights) for k, w in zip(keys, weights, strict=True)}
    items = [
        plan.Remedy(
            k,
            f"check-{rng.randrange(4)}",  # some causes share a check
            plan.Cost(rng.uniform(1, 120), rng.choice([0, rng.uniform(0, 5000)])),
            plan.Cost(rng.uniform(0, 60), rng.uniform(0, 9000)),
        )
        for k in keys
    ]
    made = plan.make_plan(posterior, items, money_per_minute=RATE)
    checks = [s.check for s in made.by_cost.steps]
    best = min(
        plan.expected_cost(posterior, items, order, money_per_minute=RATE)
        for order in itertools.permutations(checks)
    )
    assert made.by_cost.expected_scaled == pytest.approx(best)
    assert made.by_cost.expected_scaled <= made.by_probability.expected_scaled + 1e-9


def test_a_free_check_or_an_unknown_fault_is_refused():
    with pytest.raises(ValueError, match="cost"):
        plan.make_plan({"a": 1.0}, [plan.Remedy("a", "c", plan.Cost())], money_per_minute=RATE)
    with pytest.raises(ValueError, match="posterior"):
        plan.make_plan({"a": 1.0}, [plan.Remedy("b", "c", plan.Cost(1))], money_per_minute=RATE)
    with pytest.raises(ValueError, match="money_per_minute"):
        plan.make_plan({"a": 1.0}, [], money_per_minute=0)


# --- the decisive check ---------------------------------------------------------------------


def tiny_kb():
    """Two leading causes told apart only by a costly question; a cheap one separates the
    third from the rest."""
    return engine.KnowledgeBase(
        [engine.Fault("a", 4), engine.Fault("b", 4), engine.Fault("c", 2)],
        [
            engine.Symptom("glance", cost=1.0, p_yes_otherwise=0.5),
            engine.Symptom("meter", cost=40.0, p_yes_otherwise=0.5),
        ],
        {("c", "glance"): 0.99, ("a", "meter"): 0.95, ("b", "meter"): 0.05},
    )


def test_the_decisive_question_tells_the_leading_causes_apart_whatever_it_costs():
    kb = tiny_kb()
    assert engine.next_question(kb, {}) == "glance"  # cheapest information first
    found = engine.decisive_question(kb, {}, among=2)
    assert found is not None
    key, bits = found
    assert key == "meter"
    assert bits > 0.5


def test_no_decisive_question_when_none_separates_the_leaders():
    kb = tiny_kb()
    assert engine.decisive_question(kb, {"meter": "u"}, among=2) is None
    with pytest.raises(ValueError):
        engine.decisive_question(kb, {}, among=1)


# --- on the shipped content -----------------------------------------------------------------

SILENCE_DOORS_FINE = {
    "no-sound-on-press": "y",
    "motor-clicks-lid-stays": "n",
    "doors-lock-unlock-ok": "y",
}
NEITHER_BUTTON = {"key-button-dead-lid-button-works": "n", "key-button-works-lid-button-dead": "n"}


def outcome(generation, answers):
    compiled = build(MODEL, PROBLEM)
    return service.diagnose(compiled, compiled.generations_by_code[generation], answers)


def position(steps, procedure):
    return next(s.number for s in steps if procedure in [p.slug for p in s.procedures])


@pytest.mark.django_db
@pytest.mark.parametrize("answers", [SILENCE_DOORS_FINE, {**SILENCE_DOORS_FINE, **NEITHER_BUTTON}])
def test_j12_silence_doors_fine_checks_the_fuse_before_the_bcm(content, answers):
    result = outcome("j12", answers)
    ranking = [c.fault.slug for c in result.causes]
    assert ranking.index("bcm-software-glitch") < ranking.index("trunk-fuse-blown")
    made = result.plan
    assert position(made.steps, "check-trunk-fuse") < position(made.steps, "reflash-bcm-at-dealer")
    assert position(made.by_probability, "reflash-bcm-at-dealer") < position(
        made.by_probability, "check-trunk-fuse"
    )
    assert made.expected_minutes + made.expected_money / 10 < (
        made.probability_minutes + made.probability_money / 10
    )


@pytest.mark.django_db
def test_j11_silence_doors_fine_names_the_voltage_at_the_lock_as_decisive(content):
    result = outcome("j11", {**SILENCE_DOORS_FINE, **NEITHER_BUTTON})
    decisive = result.plan.decisive
    assert decisive is not None
    assert decisive.slug == "voltage-at-lock"
    assert decisive.procedure.slug == "test-lock-with-multimeter"
    assert result.next_question is None or result.next_question.slug != "voltage-at-lock"


@pytest.mark.django_db
def test_the_api_gives_the_plan_beside_the_ranking(client, content):
    data = client.get(
        "/api/v1/diagnose",
        {
            "model": MODEL,
            "problem": PROBLEM,
            "generation": "j12",
            "answers": "doors-lock-unlock-ok:y,motor-clicks-lid-stays:n,no-sound-on-press:y",
        },
    ).json()
    assert {"candidates", "next_question", "done", "plan"} <= set(data)
    plan_ = data["plan"]
    assert set(plan_) == {"steps", "expected", "by_probability", "currency", "decisive"}
    assert sum(step["probability"] for step in plan_["steps"]) == pytest.approx(1, abs=1e-3)
    slugs = [[p["slug"] for p in step["procedures"]] for step in plan_["steps"]]
    assert sorted(map(tuple, slugs)) == sorted(map(tuple, plan_["by_probability"]["steps"]))
    # the numbers, and the same in words as the page writes them (tests/test_russian_pages.py)
    assert set(plan_["expected"]) == {"minutes", "money", "minutes_text", "money_text"}


@pytest.mark.django_db
def test_the_result_page_and_the_print_view_show_what_to_do_in_this_order(client, content):
    answers = "doors-lock-unlock-ok:y,fuse-intact:n,motor-clicks-lid-stays:n,no-sound-on-press:y"
    page = client.get(f"/nissan-qashqai/trunk-wont-open/diagnose/?generation=j12&answers={answers}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "What to do, in this order" in html
    assert "Expected to a fixed car in this order" in html


@pytest.mark.django_db
def test_where_the_ranking_misses_the_burnt_out_actuator_the_plan_starts_at_the_lock(content):
    """The one shipped case whose cause is not first (the BCM leads): the plan's first step and
    its decisive check are the multimeter at the lock, which finds the actuator."""
    from diagnosis.models import ScenarioCase
    from diagnosis.validation import play_case

    case = ScenarioCase.objects.get(slug="j11-voltage-at-the-lock-but-the-motor-does-not-spin")
    verdict = play_case(build(MODEL, PROBLEM), case)
    assert verdict.first_ranks_first is False
    made = verdict.played.outcome.plan
    assert [p.slug for p in made.steps[0].procedures] == ["test-lock-with-multimeter"]
    assert "lock-actuator-failed" in [f.slug for f in made.steps[0].faults]
    assert made.decisive.slug == "voltage-at-lock"


@pytest.mark.parametrize(
    ("minutes", "shown"), [(0, 0), (3, 5), (33, 35), (59, 60), (125, 120), (140, 150), (93, 90)]
)
def test_the_plans_computed_times_are_rounded_as_people_say_them(minutes, shown):
    from kb.templatetags.kb_tags import about_minutes

    assert about_minutes(minutes) == shown


def restricted_gains(kb, answers, among):
    """Each unanswered question's gain under the posterior kept to the `among` likeliest causes,
    through the engine's public functions: what decisive_question compares."""
    post = engine.posterior(kb, answers)
    order = [f.key for f in kb.faults]
    top = sorted(post, key=lambda f: (-post[f], order.index(f)))[:among]
    restricted = {f: (post[f] if f in top else 0.0) for f in post}
    return engine.information_gains(kb, answers, post=restricted)


def test_a_question_only_the_other_causes_answer_differently_tells_the_leaders_nothing():
    """The decisive question skips questions with no explicit pair for a leading cause: under
    the posterior kept to the leaders their gain is 0 exactly, so one never passes min_bits."""
    kb = tiny_kb()  # "glance" is c's only, and c trails a and b
    gains = restricted_gains(kb, {}, among=2)
    assert gains["glance"] == 0.0 and gains["meter"] > 0.5
    assert engine.decisive_question(kb, {}, among=2) == ("meter", gains["meter"])
    # with c among the leaders, "glance" counts again (and "meter" still tells a from b)
    assert restricted_gains(kb, {}, among=3)["glance"] > 0.0
    for answers in ({}, {"glance": "y"}, {"glance": "n"}, {"meter": "y"}, {"glance": "u"}):
        for among in (2, 3):
            gains = restricted_gains(kb, answers, among)
            best = max(gains.items(), key=lambda item: item[1], default=None)
            expected = best if best and best[1] > engine.DECISIVE_MIN_BITS else None
            found = engine.decisive_question(kb, answers, among=among)
            assert (found and found[0]) == (expected and expected[0])
            if found:
                assert found[1] == pytest.approx(expected[1])
