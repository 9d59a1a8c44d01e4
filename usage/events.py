"""What one wizard step tells the usage counters, as plain tuples (no Django, no database).

An event is ``(kind, problem, generation, question, answer, fault)``, all strings, unused
parts empty; ``problem`` is "<model>/<problem>". A step yields at most three:

- ``start``: a generation was chosen and nothing answered yet (the first question's state);
- ``answer``: the question answered last (the order asked, replayed: ``last_answer``), with
  the kind of answer: ``y`` / ``n`` / ``u``; for a question with several options (an
  exclusive group) an option counts as ``y``, "none of these" as ``n``, "don't know" as ``u``;
- ``shown``: the question this state asks next;
- ``result``: the state reached a result (no question left), with the top cause.

"Abandoned there" is derived, not counted: for a question, ``shown − answered`` over the same
days (never below 0): the states that asked it minus the states reached by answering it. It
is approximate on purpose (no person is followed): a reload of a state counts its question as
shown again, and changing an earlier answer with its chips counts the last question as
answered again. docs/usage.md says more.
"""

from __future__ import annotations

from diagnosis import engine
from diagnosis.service import derived

KINDS = ("start", "answer", "shown", "result")
SEPARATOR = "|"  # never in a slug
# The replays' questions kept per compiled problem and generation (``_replayed``): emptied at
# this many sets of answers, so a crawl of made-up states cannot grow it without end.
REPLAYED_LIMIT = 4096


def event(kind: str, problem: str, generation: str, question="", answer="", fault="") -> tuple:
    return (kind, problem, generation, question, answer, fault)


def encode(item: tuple) -> str:
    return SEPARATOR.join(item)


def decode(field: str) -> tuple:
    parts = tuple(field.split(SEPARATOR))
    if len(parts) != 6 or parts[0] not in KINDS:
        raise ValueError(f"not a usage event: {field[:120]!r}")
    return parts


def step_events(compiled, generation, answers: dict[str, str], outcome) -> tuple[tuple, ...]:
    """The events of one rendered wizard step with a generation (see the module docstring).

    ``compiled`` is the diagnosis' CompiledProblem, ``outcome`` its Outcome for these answers.
    """
    problem = f"{compiled.model_slug}/{compiled.problem_slug}"
    code = generation.code
    found = []
    if not answers:
        found.append(event("start", problem, code))
    else:
        question, kind = last_answer(compiled, generation, answers)
        found.append(event("answer", problem, code, question, kind))
    if outcome.next_question is not None:
        found.append(event("shown", problem, code, outcome.next_question.slug))
    elif outcome.causes:
        found.append(event("result", problem, code, fault=outcome.causes[0].fault.slug))
    return tuple(found)


def attach_step_events(sender, *, response, compiled, generation, answers, outcome, **kwargs):
    """Receives diagnosis.signals.step_rendered (connected in usage/apps.py): the step's events
    ride on the response, pickled with it by the page cache, and usage.middleware counts them
    on every serving."""
    response.usage_events = step_events(compiled, generation, answers, outcome)


def last_answer(compiled, generation, answers: dict[str, str]) -> tuple[str, str]:
    """The question answered last, and its kind of answer.

    A URL keeps the answers in one order (sorted: diagnosis/query.py), not the order asked, so
    the order asked is replayed (engine.asking_order). A state the wizard would not have
    reached that way (a hand-written link) counts its last token's question, as before.
    """
    kb = compiled.knowledge_bases[generation.code]
    order = engine.asking_order(kb, answers, known=_replayed(compiled, generation))
    asked = {m for q in order for m in (kb.group(q).members if kb.is_group(q) else (q,))}
    if order and asked == set(answers):
        question = order[-1]
        group_slug = question if kb.is_group(question) else ""
    else:
        question = next(reversed(answers))
        group_slug = compiled.symptoms[question].group
    if not group_slug:
        return question, answers[question]
    values = [answers.get(member) for member in compiled.groups[group_slug].members]
    if "y" in values:
        return group_slug, "y"
    if values and all(value == "u" for value in values):
        return group_slug, "u"
    return group_slug, "n"


def _replayed(compiled, generation) -> dict:
    """The question picked for each set of answers replayed in this generation's knowledge
    base (engine.asking_order's ``known``): every step replays from no answer, and a step
    reached by a tap replays the steps before it, so most of a replay was done for an earlier
    step. Kept with the compiled problem (``derived``): a content edit starts afresh."""
    known = derived(compiled, ("replayed questions", generation.code), dict)
    if len(known) >= REPLAYED_LIMIT:
        known.clear()
    return known
