"""A simulated owner plays a test case through the wizard, the way the wizard plays it.

Each step is `service.diagnose`, which the wizard page and the API call: the engine's real
stop rule and question budget, the question and its options as the owner sees them. The owner
answers from the case's facts (symptom slug → "y"/"n") and "don't know" otherwise; for a
question with exclusive answers, the option whose member is "y", "none of these" when every
member is "n", else "don't know".

Used by the content check (diagnosis/validation.py), the admin's list of test cases, the
scenario tests and bench/quality.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from . import engine, service
from .content import CompiledProblem

# The design's targets (docs/design.md, "Targets"): a result within MAX_QUESTIONS questions
# for every case, the expected cause first in at least FIRST_TARGET of them, and at most
# MEAN_QUESTIONS_TARGET questions on average.
MAX_QUESTIONS = engine.DEFAULT_MAX_QUESTIONS
FIRST_TARGET = 0.95
MEAN_QUESTIONS_TARGET = 5.0
TOP = service.TOP_CAUSES


@dataclass(frozen=True)
class Step:
    """One question asked, and the owner's answer, as the owner saw them."""

    slug: str
    question: str
    answer: str


@dataclass(frozen=True)
class Played:
    outcome: service.Outcome  # the last step: done, with the ranking
    steps: tuple[Step, ...]

    @property
    def ranking(self) -> list[str]:
        return [cause.fault.slug for cause in self.outcome.causes]

    @property
    def questions(self) -> int:
        return len(self.steps)


@dataclass(frozen=True)
class Verdict:
    """A case's result: it fails when a cause it names is not in the top three."""

    played: Played
    first: str  # the cause that must come first ("" when none must)
    missing: tuple[str, ...]  # causes that must be in the top three and are not

    @property
    def passes(self) -> bool:
        return not self.missing

    @property
    def first_ranks_first(self) -> bool | None:
        """Whether the expected first cause came first (None when the case names none)."""
        return self.played.ranking[0] == self.first if self.first else None


def owner_choice(options: Iterable[service.Option], facts: Mapping[str, str]) -> service.Option:
    """The option the owner picks from what they know."""
    options = tuple(options)
    if options[0].kind in engine.ANSWERS:  # a yes/no question
        (symptom, _), *_rest = options[0].answers
        wanted = facts.get(symptom, "u")
        return next(option for option in options if option.kind == wanted)
    for option in options:
        chosen = [symptom for symptom, value in option.answers if value == "y"]
        if chosen and facts.get(chosen[0]) == "y":
            return option
    members = [symptom for symptom, _ in options[0].answers]
    kind = "none" if all(facts.get(member) == "n" for member in members) else "u"
    return next(option for option in options if option.kind == kind)


def play(compiled: CompiledProblem, generation: str, facts: Mapping[str, str]) -> Played:
    """Answer the wizard's questions for a car of `generation` (its code) until it is done."""
    info = compiled.generations_by_code[generation]
    answers: dict[str, str] = {}
    steps: list[Step] = []
    # The engine stops within its budget; the bound only guards against a loop.
    for _ in range(len(compiled.symptoms) + 1):
        outcome = service.diagnose(compiled, info, answers)
        question = outcome.next_question
        if outcome.done or question is None:
            break
        option = owner_choice(question.options, facts)
        steps.append(Step(question.slug, question.text, str(option.label)))
        answers.update(option.answers)
    return Played(outcome, tuple(steps))


def judge(
    compiled: CompiledProblem,
    generation: str,
    facts: Mapping[str, str],
    first: str,
    expected: Iterable[str],
) -> Verdict:
    """Play a case; `expected` are the causes that must be in the top three (first included)."""
    played = play(compiled, generation, facts)
    top = set(played.ranking[:TOP])
    return Verdict(played, first, tuple(slug for slug in expected if slug not in top))


@dataclass(frozen=True)
class Summary:
    """A set of verdicts against the design's targets."""

    verdicts: tuple[Verdict, ...]

    @property
    def with_first(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.first]

    @property
    def first_share(self) -> float:
        named = self.with_first
        return sum(bool(v.first_ranks_first) for v in named) / len(named) if named else 1.0

    @property
    def mean_questions(self) -> float:
        return sum(v.played.questions for v in self.verdicts) / max(1, len(self.verdicts))

    @property
    def max_questions(self) -> int:
        return max((v.played.questions for v in self.verdicts), default=0)

    @property
    def meets_first_target(self) -> bool:
        return self.first_share >= FIRST_TARGET

    @property
    def meets_mean_target(self) -> bool:
        return self.mean_questions <= MEAN_QUESTIONS_TARGET
