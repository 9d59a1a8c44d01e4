"""One diagnosis step: the engine's verdict dressed in the content's own words and links."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

from . import engine
from .content import CompiledProblem, FaultInfo, GenerationInfo, ProcedureCard, SymptomInfo
from .query import ANSWER_WORDS, encode_answers

# How many causes the result dwells on, and the share below which a cause is not "likely".
TOP_CAUSES = 3
LIKELY_SHARE = 0.1
# A cause's procedures in the order an owner needs them: check first, then fix, then prevent;
# getting things out is offered on its own at the top of every step.
KIND_ORDER = {"quick-check": 0, "repair": 1, "maintenance": 2, "emergency": 3}


@dataclass(frozen=True, slots=True)
class Reason:
    symptom: SymptomInfo
    answer: str
    weight: float

    @property
    def raises(self) -> bool:
        return self.weight > 0

    @property
    def factor(self) -> float:
        return math.exp(abs(self.weight))

    @property
    def text(self) -> str:
        said = "yes" if self.answer == "y" else "no"
        strength = "strongly " if self.factor >= 4 else ""
        effect = "points to this cause" if self.raises else "speaks against this cause"
        return (
            f"You answered {said} to “{self.symptom.statement}”: this {strength}{effect} "
            f"({self.factor:.1f}× {'more' if self.raises else 'less'} likely than with "
            f"another cause)."
        )

    def as_dict(self) -> dict:
        return {
            "symptom": self.symptom.slug,
            "answer": self.answer,
            "weight": round(self.weight, 3),
            "effect": "raises" if self.raises else "lowers",
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class RankedCause:
    fault: FaultInfo
    probability: float
    why: tuple[Reason, ...]
    procedures: tuple[ProcedureCard, ...]

    @property
    def percent(self) -> int:
        return round(self.probability * 100)

    @property
    def percent_label(self) -> str:
        return "<1%" if self.probability < 0.005 else f"{self.percent}%"

    @property
    def bar_step(self) -> int:
        """The probability in 5 % steps, for a CSS class (the CSP forbids inline styles)."""
        return min(20, round(self.probability * 20))


@dataclass(frozen=True)
class Outcome:
    compiled: CompiledProblem
    generation: GenerationInfo
    answers: dict[str, str]
    causes: tuple[RankedCause, ...]
    next_question: SymptomInfo | None
    done: bool
    stop_reason: str | None

    @property
    def top_causes(self) -> tuple[RankedCause, ...]:
        likely = [c for c in self.causes[:TOP_CAUSES] if c.probability >= LIKELY_SHARE]
        return tuple(likely or self.causes[:1])

    @cached_property
    def answered(self) -> list[dict]:
        """Each answer so far, with the links that change or remove it."""
        return [
            {
                "symptom": self.compiled.symptoms[slug],
                "label": ANSWER_WORDS[value],
                "options": [
                    (label, self.url_with(**{slug: other}), other == value)
                    for other, label in ANSWER_WORDS.items()
                ],
                "remove_url": self.url_with(**{slug: None}),
            }
            for slug, value in self.answers.items()
        ]

    @property
    def question_number(self) -> int:
        return len(self.answers) + 1

    def url_with(self, **changes: str | None) -> str:
        """The wizard URL of these answers with some changed (a value of None removes one)."""
        answers = dict(self.answers)
        for symptom, value in changes.items():
            if value is None:
                answers.pop(symptom, None)
            else:
                answers[symptom] = value
        return wizard_url(self.compiled, self.generation, answers)

    def answer_links(self) -> list[tuple[str, str, str]]:
        """(value, label, URL) for each answer to the next question."""
        if self.next_question is None:
            return []
        slug = self.next_question.slug
        return [
            (value, label, self.url_with(**{slug: value})) for value, label in ANSWER_WORDS.items()
        ]

    def as_json(self) -> dict:
        compiled = self.compiled
        return {
            "model": compiled.model_slug,
            "problem": compiled.problem_slug,
            "generation": self.generation.code,
            "answers": encode_answers(self.answers),
            "candidates": [
                {
                    "fault": cause.fault.slug,
                    "name": cause.fault.name,
                    "probability": round(cause.probability, 4),
                    "why": [reason.as_dict() for reason in cause.why],
                    "url": cause.fault.url,
                    "procedures": [
                        {"slug": p.slug, "title": p.title, "kind": p.kind, "url": p.url}
                        for p in cause.procedures
                    ],
                }
                for cause in self.causes
            ],
            "next_question": (
                {
                    "symptom": self.next_question.slug,
                    "text": self.next_question.question,
                    "help": self.next_question.help_text,
                }
                if self.next_question
                else None
            ),
            "done": self.done,
            "stop_reason": self.stop_reason,
            "links": {
                "problem": compiled.problem_url,
                "wizard": wizard_url(compiled, self.generation, self.answers),
                "emergency": compiled.emergency.url if compiled.emergency else None,
            },
        }


def wizard_url(compiled: CompiledProblem, generation: GenerationInfo | None, answers) -> str:
    url = compiled.diagnose_url
    if generation is None:
        return url
    url += f"?generation={generation.code}"
    if answers:
        url += f"&answers={encode_answers(answers)}"
    return url


def diagnose(
    compiled: CompiledProblem, generation: GenerationInfo, answers: dict[str, str]
) -> Outcome:
    verdict = engine.diagnose(compiled.knowledge_bases[generation.code], answers)
    causes = tuple(
        RankedCause(
            fault=compiled.faults[candidate.fault],
            probability=candidate.probability,
            why=tuple(
                Reason(compiled.symptoms[e.symptom], e.answer, e.weight) for e in candidate.why
            ),
            procedures=tuple(
                sorted(
                    (
                        compiled.procedures[slug]
                        for slug in compiled.faults[candidate.fault].procedures
                    ),
                    key=lambda procedure: KIND_ORDER.get(procedure.kind, len(KIND_ORDER)),
                )
            ),
        )
        for candidate in verdict.candidates
    )
    return Outcome(
        compiled=compiled,
        generation=generation,
        answers=answers,
        causes=causes,
        next_question=(compiled.symptoms[verdict.next_question] if verdict.next_question else None),
        done=verdict.done,
        stop_reason=verdict.stop_reason,
    )
