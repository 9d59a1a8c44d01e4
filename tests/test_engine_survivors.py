"""The engine's edges, each a test that a mutation run found missing (see docs/testing.md).

Only the public API: KnowledgeBase, Fault, Symptom, posterior, information_gains,
next_question and diagnose. Plain Python, no Django: these run in a fraction of a second, so
`make mutation` runs them for every mutant of diagnosis/engine.py.
"""

import math

import pytest

from diagnosis import engine
from diagnosis.engine import (
    Fault,
    KnowledgeBase,
    Symptom,
    diagnose,
    information_gains,
    next_question,
    posterior,
)


def three_faults() -> KnowledgeBase:
    return KnowledgeBase(
        [Fault("lock", 1.0), Fault("cable", 2.0), Fault("battery", 3.0)],
        [
            Symptom("silent", 1.0, 0.3),
            Symptom("slack-handle", 1.0, 0.1),
            Symptom("voltage", 4.0, 0.8),
        ],
        {
            ("lock", "silent"): 0.8,
            ("cable", "slack-handle"): 0.9,
            ("cable", "silent"): 0.1,
            ("battery", "silent"): 0.95,
            ("battery", "voltage"): 0.05,
        },
    )


# --- numerical stability: hundreds of extreme answers ---------------------------------------


def many_symptoms_kb(n: int) -> KnowledgeBase:
    """Two faults; fault "a" says yes to every one of n rare symptoms, "b" names none."""
    symptoms = [Symptom(f"s{j}", 1.0, 0.01) for j in range(n)]
    likelihoods = {("a", f"s{j}"): 0.99 for j in range(n)}
    return KnowledgeBase([Fault("a", 1.0), Fault("b", 1.0)], symptoms, likelihoods)


def test_hundreds_of_answers_raising_one_fault_stay_finite():
    # 400 × ln(0.99 / 0.01) ≈ 1,838 in log space: far beyond what exp() takes (~709).
    kb = many_symptoms_kb(400)
    post = posterior(kb, {f"s{j}": "y" for j in range(400)})
    assert post["a"] == pytest.approx(1.0)
    assert 0.0 <= post["b"] < 1e-300
    assert math.fsum(post.values()) == pytest.approx(1.0)


def test_hundreds_of_answers_lowering_every_named_fault_stay_finite():
    # Every fault is pushed down by ~1,838 in log space: the normalization still works.
    n = 400
    symptoms = [Symptom(f"s{j}", 1.0, 0.01) for j in range(n)]
    likelihoods = {(f, f"s{j}"): 0.99 for f in ("a", "b") for j in range(n)}
    likelihoods.update({("b", f"s{j}"): 0.98 for j in range(n)})
    kb = KnowledgeBase([Fault("a", 1.0), Fault("b", 3.0)], symptoms, likelihoods)
    post = posterior(kb, {f"s{j}": "n" for j in range(n)})
    assert all(math.isfinite(p) for p in post.values())
    assert math.fsum(post.values()) == pytest.approx(1.0)
    assert post["b"] > post["a"]  # 0.02 vs 0.01 per "no": b is far more likely
    verdict = diagnose(kb, {f"s{j}": "n" for j in range(n)})
    assert verdict.candidates[0].fault == "b"


# --- the caller's posterior: used, and scaled back to a distribution ----------------------


def test_information_gains_use_the_posterior_given():
    kb = three_faults()
    after_silent = posterior(kb, {"silent": "y"})
    # Same unanswered symptoms, the belief of another state: the gains of that state.
    with_post = information_gains(kb, {"silent": "u"}, post=after_silent)
    assert with_post == pytest.approx(information_gains(kb, {"silent": "y"}))
    assert with_post != pytest.approx(information_gains(kb, {"silent": "u"}))


def test_a_scaled_posterior_gives_the_same_gains_and_question():
    kb = three_faults()
    post = posterior(kb, {"silent": "y"})
    for factor in (1e-6, 7.0, 1e6):
        scaled = {key: p * factor for key, p in post.items()}
        assert information_gains(kb, {"silent": "y"}, post=scaled) == pytest.approx(
            information_gains(kb, {"silent": "y"})
        )
        assert next_question(kb, {"silent": "y"}, post=scaled) == next_question(kb, {"silent": "y"})


def test_next_question_uses_the_posterior_given():
    kb = three_faults()
    # Almost certainly the cable: only the handle question separates it from the rest...
    cable = {"lock": 0.01, "cable": 0.98, "battery": 0.01}
    battery = {"lock": 0.01, "cable": 0.01, "battery": 0.98}
    assert next_question(kb, {}, post=cable, min_gain_per_cost=0.0) == "slack-handle"
    # ...and when it is almost certainly the battery, the cheap "silent" question is the one.
    assert next_question(kb, {}, post=battery, min_gain_per_cost=0.0) == "silent"
    assert next_question(kb, {}, post=cable, min_gain_per_cost=0.0) != next_question(
        kb, {}, post=battery, min_gain_per_cost=0.0
    )


def test_a_posterior_that_is_not_a_distribution_is_rejected_naming_the_fault():
    kb = three_faults()
    good = {"lock": 0.2, "cable": 0.3, "battery": 0.5}
    with pytest.raises(ValueError, match="posterior lacks fault 'battery'"):
        information_gains(kb, {}, post={"lock": 0.5, "cable": 0.5})
    for bad in (-0.1, math.inf, math.nan, True, "0.5"):
        with pytest.raises(ValueError, match=r"posterior of 'cable' must be >= 0"):
            next_question(kb, {}, post={**good, "cable": bad})
    with pytest.raises(ValueError, match="^posterior sums to zero$"):
        information_gains(kb, {}, post=dict.fromkeys(good, 0.0))
    # A zero for one fault is a valid belief.
    assert next_question(kb, {}, post={**good, "lock": 0.0}) is not None


# --- the stop rule at its boundary ----------------------------------------------------------


def test_a_cause_exactly_at_clear_at_is_clear():
    kb = KnowledgeBase(
        [Fault("a", 1.0), Fault("b", 1.0)],
        [Symptom("s", 1.0, 0.5)],
        {("a", "s"): 0.9},
    )
    assert posterior(kb, {})["a"] == 0.5  # exactly
    at = diagnose(kb, {}, min_lift=1.0, clear_at=0.5)
    assert (at.done, at.stop_reason, at.next_question) == (True, "clear", None)
    above = diagnose(kb, {}, min_lift=1.0, clear_at=math.nextafter(0.5, 1.0))
    assert (above.done, above.next_question) == (False, "s")


def test_clear_at_accepts_exactly_one_and_refuses_zero_and_more():
    kb = three_faults()
    assert diagnose(kb, {}, min_lift=1.0, clear_at=1.0).stop_reason is None
    for bad in (0, 0.0, -0.5, math.nextafter(1.0, 2.0), 1.5, math.nan, True, "0.8"):
        with pytest.raises(ValueError, match="clear_at must be within"):
            diagnose(kb, {}, min_lift=1.0, clear_at=bad)


def test_min_gain_per_cost_accepts_zero_and_refuses_negatives_and_booleans():
    kb = three_faults()
    assert next_question(kb, {}, min_gain_per_cost=0) is not None
    assert diagnose(kb, {}, min_lift=1.0, min_gain_per_cost=0.0).next_question is not None
    for bad in (-1e-9, math.nan, True, False, None):
        with pytest.raises(ValueError, match="min_gain_per_cost must be >= 0"):
            next_question(kb, {}, min_gain_per_cost=bad)
        with pytest.raises(ValueError, match="min_gain_per_cost must be >= 0"):
            diagnose(kb, {}, min_lift=1.0, min_gain_per_cost=bad)


def test_a_question_exactly_at_the_minimum_gain_is_asked():
    kb = three_faults()
    gains = information_gains(kb, {})
    best = max(gains, key=lambda key: gains[key] / kb.symptom(key).cost)
    threshold = gains[best] / kb.symptom(best).cost
    assert next_question(kb, {}, min_gain_per_cost=threshold) == best
    assert next_question(kb, {}, min_gain_per_cost=math.nextafter(threshold, 1.0)) is None


def test_by_default_a_question_must_be_worth_a_tenth_of_a_bit_per_unit_of_cost():
    """The figure docs/decisions.md states (0.1 bits per unit of effort); the gain of a
    question does not depend on its cost, so its cost sets where it stands against 0.1."""

    def one_question(cost: float) -> KnowledgeBase:
        return KnowledgeBase(
            [Fault("a", 1.0), Fault("b", 1.0)], [Symptom("s", cost, 0.5)], {("a", "s"): 0.9}
        )

    gain = information_gains(one_question(1.0), {})["s"]
    assert 0.1 < gain < 1  # bits
    assert next_question(one_question(gain / 0.1 * 0.99), {}) == "s"
    assert next_question(one_question(gain / 0.1 * 1.01), {}) is None


# --- content is refused when a number is a boolean, out of range or not finite --------------


@pytest.mark.parametrize("prior", [True, 0, -1.0, math.inf, math.nan, "1"])
def test_a_prior_must_be_a_positive_finite_number(prior):
    with pytest.raises(ValueError, match="fault 'f': prior must be > 0"):
        KnowledgeBase([Fault("f", prior)], [], {})


@pytest.mark.parametrize("cost", [True, 0, -1.0, math.inf, math.nan, None])
def test_a_cost_must_be_a_positive_finite_number(cost):
    with pytest.raises(ValueError, match="symptom 's': cost must be > 0"):
        KnowledgeBase([Fault("f", 1.0)], [Symptom("s", cost, 0.5)], {})


@pytest.mark.parametrize("p", [True, False, -0.001, 1.001, math.nan, None])
def test_p_yes_otherwise_must_be_a_probability(p):
    with pytest.raises(ValueError, match="symptom 's': p_yes_otherwise must be within"):
        KnowledgeBase([Fault("f", 1.0)], [Symptom("s", 1.0, p)], {})


@pytest.mark.parametrize("p", [True, False, -0.001, 1.001, math.nan, "0.5"])
def test_a_likelihood_must_be_a_probability(p):
    with pytest.raises(ValueError, match=r"likelihood \('f', 's'\): probability must be"):
        KnowledgeBase([Fault("f", 1.0)], [Symptom("s", 1.0, 0.5)], {("f", "s"): p})


def test_the_bounds_of_every_probability_are_accepted():
    kb = KnowledgeBase(
        [Fault("f", 1e-300), Fault("g", 1)],
        [Symptom("s", 1e-9, 0), Symptom("t", 1, 1)],
        {("f", "s"): 0, ("g", "s"): 1, ("f", "t"): 1.0, ("g", "t"): 0.0},
    )
    # Probabilities are clamped, so no answer rules a cause out for good.
    assert kb.p_yes("f", "s") == engine.P_MIN and kb.p_yes("g", "s") == engine.P_MAX
    assert kb.p_yes("f", "t") == engine.P_MAX and kb.p_yes("g", "t") == engine.P_MIN
    assert all(p > 0 for p in posterior(kb, {"s": "y", "t": "n"}).values())


@pytest.mark.parametrize("key", ["", None, 3])
def test_keys_must_be_non_empty_strings(key):
    with pytest.raises(ValueError, match="fault key must be a non-empty string"):
        KnowledgeBase([Fault(key, 1.0)], [], {})
    with pytest.raises(ValueError, match="symptom key must be a non-empty string"):
        KnowledgeBase([Fault("f", 1.0)], [Symptom(key, 1.0, 0.5)], {})


def test_a_knowledge_base_needs_a_fault():
    with pytest.raises(ValueError, match="^a knowledge base needs at least one fault$"):
        KnowledgeBase([], [Symptom("s", 1.0, 0.5)], {})


@pytest.mark.parametrize("pair", [("f",), ("f", "s", "x"), "fs", 7])
def test_a_likelihood_key_must_be_a_fault_symptom_pair(pair):
    with pytest.raises(ValueError, match=r"^likelihood key must be \(fault, symptom\), not "):
        KnowledgeBase([Fault("f", 1.0)], [Symptom("s", 1.0, 0.5)], {pair: 0.5})


def test_an_answer_that_moves_a_cause_by_any_weight_is_among_its_reasons():
    # A likelihood ratio of exactly e: the evidence weight is ln(e) = 1.0, a weight like any other.
    p = 0.1 * math.e
    assert math.log(p / 0.1) == 1.0
    kb = KnowledgeBase(
        [Fault("a", 1.0), Fault("b", 1.0)], [Symptom("s", 1.0, 0.1)], {("a", "s"): p}
    )
    verdict = diagnose(kb, {"s": "y"}, clear_at=1.0)
    first = verdict.candidates[0]
    assert first.fault == "a"
    assert first.why == (engine.Evidence("s", "y", 1.0),)
    assert verdict.candidates[1].why == ()  # b has no pair for s: not moved, no reason
