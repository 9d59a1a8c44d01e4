"""The effect of an unsaved edit on the wizard, computed with the engine before anything is saved.

The content compiled from the database is "before"; "after" is the same knowledge base with the
edited values put in: a fault's share, a question's value for other causes, likelihoods added,
changed or removed. Nothing is written. For each generation it compares the first ranking (what
the wizard shows before any answer) and a set of saved scenarios: for each cause, the answers
that point to it most (as the content check tries them), and which cause then comes first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kb.models import Likelihood, Problem

from . import content, engine
from .validation import top_for_best_answers

TOP = 3


@dataclass
class Edit:
    """What the unsaved form changes, by slugs."""

    shares: dict[str, float] = field(default_factory=dict)  # fault -> new share
    p_otherwise: dict[str, float] = field(default_factory=dict)  # symptom -> new value
    likelihoods: dict[tuple[str, str], float | None] = field(default_factory=dict)  # None: removed


@dataclass
class Ranked:
    name: str
    probability: float


@dataclass
class Scenario:
    cause: str  # the cause the answers point to
    before: str  # the first cause with those answers, before the edit
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass
class GenerationPreview:
    generation: str
    before: list[Ranked]
    after: list[Ranked]
    scenarios: list[Scenario]

    @property
    def first_changed(self) -> bool:
        return self.before[0].name != self.after[0].name

    @property
    def changed_scenarios(self) -> list[Scenario]:
        return [s for s in self.scenarios if s.changed]

    @property
    def rows(self) -> list[tuple[int, Ranked, Ranked]]:
        return [
            (n, b, a)
            for n, (b, a) in enumerate(zip(self.before, self.after, strict=False), start=1)
        ]

    @property
    def right_before(self) -> int:
        return sum(1 for s in self.scenarios if s.before == s.cause)

    @property
    def right_after(self) -> int:
        return sum(1 for s in self.scenarios if s.after == s.cause)


def preview(problem: Problem, edit: Edit) -> list[GenerationPreview]:
    compiled = content.build(problem.vehicle_model.slug, problem.slug)
    if compiled is None:
        return []
    names = {slug: info.name for slug, info in compiled.faults.items()}
    likelihoods = dict(
        ((fault, symptom), p)
        for fault, symptom, p in Likelihood.objects.filter(fault__problem=problem).values_list(
            "fault__slug", "symptom__slug", "p_yes"
        )
    )
    shares = dict(problem.faults.values_list("slug", "share"))
    results = []
    for generation in compiled.generations:
        before = compiled.knowledge_bases[generation.code]
        after = edited(before, likelihoods, shares, edit)
        results.append(
            GenerationPreview(
                generation=f"{generation.name} ({generation.years})",
                before=_ranking(before, names),
                after=_ranking(after, names),
                scenarios=[
                    Scenario(
                        names[fault.key],
                        names[top_for_best_answers(before, fault.key)],
                        names[top_for_best_answers(after, fault.key)],
                    )
                    for fault in before.faults
                ],
            )
        )
    return results


def edited(
    kb: engine.KnowledgeBase,
    likelihoods: dict[tuple[str, str], float],
    shares: dict[str, float],
    edit: Edit,
) -> engine.KnowledgeBase:
    """The knowledge base with the edit applied (a fault's prior scales with its share)."""
    faults = [
        engine.Fault(f.key, f.prior * edit.shares[f.key] / shares[f.key])
        if f.key in edit.shares and shares.get(f.key)
        else f
        for f in kb.faults
    ]
    symptoms = [
        engine.Symptom(s.key, s.cost, edit.p_otherwise[s.key]) if s.key in edit.p_otherwise else s
        for s in kb.symptoms
    ]
    known = {f.key for f in faults}, {s.key for s in symptoms}
    merged = {**likelihoods, **edit.likelihoods}
    pairs = {
        pair: p
        for pair, p in merged.items()
        if p is not None and pair[0] in known[0] and pair[1] in known[1]
    }
    return engine.KnowledgeBase(faults, symptoms, pairs, kb.groups)


def _ranking(kb: engine.KnowledgeBase, names: dict[str, str]) -> list[Ranked]:
    verdict = engine.diagnose(kb, {})
    return [Ranked(names[c.fault], c.probability) for c in verdict.candidates[:TOP]]
