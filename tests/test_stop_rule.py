"""The stop rule takes the answers into account: a cause is clear only when the answers, not
its prior, made it so (engine.CLEAR_LIFT); "don't know" moves nothing and never counts
towards stopping."""

from diagnosis.engine import CLEAR_LIFT, Fault, KnowledgeBase, Symptom, diagnose, posterior


def kb():
    # "a" starts at 60 %, four times each other cause: clearly ahead on the prior alone.
    return KnowledgeBase(
        [Fault("a", 6.0), Fault("b", 1.5), Fault("c", 1.5), Fault("d", 1.0)],
        [Symptom("tells-a", 1.0, 0.3), Symptom("tells-b", 1.0, 0.3)],
        {("a", "tells-a"): 0.95, ("b", "tells-b"): 0.9},
    )


def test_a_cause_clear_on_its_prior_alone_is_not_clear():
    verdict = diagnose(kb(), {})
    assert verdict.candidates[0].fault == "a"
    assert verdict.candidates[0].probability >= 0.6
    assert not verdict.done and verdict.next_question is not None
    # the old rule, the prior allowed to decide, stopped here
    assert diagnose(kb(), {}, min_lift=1.0).stop_reason == "clear"


def test_dont_know_answers_do_not_count_towards_stopping():
    verdict = diagnose(kb(), {"tells-a": "u", "tells-b": "u"})
    assert verdict.stop_reason != "clear"
    assert verdict.stop_reason == "no-questions-left"


def test_a_cause_the_answers_lifted_is_clear():
    answers = {"tells-a": "y", "tells-b": "n"}
    top = posterior(kb(), answers)["a"]
    assert top >= min(CLEAR_LIFT * 0.6, (1 + 0.6) / 2)
    assert diagnose(kb(), answers).stop_reason == "clear"


def test_a_cause_that_starts_near_certain_needs_half_the_way_to_certainty():
    near = KnowledgeBase(
        [Fault("a", 99.0), Fault("b", 1.0)],
        [Symptom("s", 1.0, 0.5)],
        {("a", "s"): 0.99, ("b", "s"): 0.01},
    )
    assert diagnose(near, {}, min_gain_per_cost=0.0).stop_reason is None  # 99 %, not 99.5 %
    assert diagnose(near, {"s": "y"}).stop_reason == "clear"  # 99.99 %
