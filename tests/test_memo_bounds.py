"""What a process remembers of the states it answered stays bounded, whatever states it is
asked for (random answers from a script never end)."""

import itertools

from scenario_cases import MODEL, PROBLEM

from diagnosis import service
from diagnosis.content import build


def test_a_recent_memo_drops_the_least_recently_used_value_first():
    memo = service.Recent(2)
    memo.get("a", lambda: 1)
    memo.get("b", lambda: 2)
    assert memo.get("a", lambda: "built again") == 1  # "a" is now the most recent
    memo.get("c", lambda: 3)
    assert len(memo) == 2
    assert memo.get("b", lambda: "built again") == "built again"
    assert memo.get("c", lambda: "built again") == 3


def states(compiled, count):
    """Up to `count` states of two answers each, in a fixed order."""
    slugs = sorted(compiled.symptoms)
    pairs = itertools.combinations(slugs, 2)
    answers = ({a: x, b: y} for a, b in pairs for x in "yn" for y in "yn")
    generation = compiled.generations_by_code["j11"]
    return itertools.islice(((generation, given) for given in answers), count)


def why_lines(count):
    """The "why we ask" line of each of `count` states, and the memo that kept them."""
    compiled = build(MODEL, PROBLEM)  # a new object: a memo of its own
    lines = {}
    for generation, answers in states(compiled, count):
        question = service.diagnose(compiled, generation, answers).next_question
        if question is not None:
            lines[question.slug, tuple(sorted(answers.items()))] = question.why
    return lines, service.derived(compiled, "why lines", lambda: None)


def test_the_why_lines_of_many_states_keep_at_most_their_bound(content, monkeypatch):
    written_once, _ = why_lines(300)
    monkeypatch.setattr(service, "WHY_LINES_KEPT", 5)
    written_again, kept = why_lines(300)
    assert len(kept) == 5 < len(set(written_once.values()))
    # a line dropped and written again is the same line
    assert written_again == written_once
