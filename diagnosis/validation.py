"""Content checks that need the engine: can each fault be diagnosed at all?

Registered with kb.validation's `@check`, so kb_check, the admin's "Content check" page and
the message after a save all report them.
"""

from __future__ import annotations

from collections.abc import Iterator

from kb.models import Fault, Problem
from kb.validation import Finding, check

from . import content, engine

# A fault that starts this many times likelier than the median cause is almost surely a typo.
PRIOR_OUTLIER_RATIO = 50


def diagnosability_problems() -> Iterator[str]:
    """This module's findings as kb_check's lines (kept for scripts that call it)."""
    for finding in _diagnosability(None):
        yield finding.line()


@check
def _diagnosability(problem: Problem | None = None) -> Iterator[Finding]:
    problems = Problem.objects.select_related("vehicle_model").order_by("vehicle_model", "slug")
    if problem is not None:
        problems = problems.filter(pk=problem.pk)
    for item in problems:
        try:
            compiled = content.build(item.vehicle_model.slug, item.slug)
        except ValueError as error:  # the engine refuses content it cannot reason with
            yield Finding(item, f"the wizard cannot use it: {error}", item)
            continue
        if compiled is None:
            continue
        faults = {
            fault.slug: fault for fault in item.faults.select_related("problem__vehicle_model")
        }
        names = {g.code: g.name for g in compiled.generations}
        for code, kb in compiled.knowledge_bases.items():
            yield from _generation_findings(item, faults, names[code], kb)


def _generation_findings(
    problem: Problem, faults: dict[str, Fault], generation: str, kb: engine.KnowledgeBase
) -> Iterator[Finding]:
    yield from _prior_outliers(problem, faults, generation, kb)
    winners = {fault.key: top_for_best_answers(kb, fault.key) for fault in kb.faults}
    unreachable = {key: winner for key, winner in winners.items() if winner != key}
    # When one fault keeps all the others from the top, it is the one to fix (its share, or
    # its type's rate, is far above the rest): name it, not only the faults it hides.
    blockers = set(unreachable.values())
    if len(blockers) == 1:
        (key,) = blockers
        yield Finding(
            faults[key],
            f"stays first in {generation} even when the answers point to "
            f"{_count(len(unreachable), 'other cause')}: its share, or its fault type's rate, is "
            f"far above the rest. Lower its share, or check its type's rate",
            problem,
        )
    for key, winner in unreachable.items():
        yield Finding(
            faults[key],
            f"no answers raise it to the top in generation {generation}: even the answers "
            f"that point to it most leave “{faults[winner]}” first",
            problem,
        )


def _prior_outliers(
    problem: Problem, faults: dict[str, Fault], generation: str, kb: engine.KnowledgeBase
) -> Iterator[Finding]:
    """A fault whose prior (its type's rate times its share) dwarfs the others': before any
    answer the wizard all but names it, and every answer must fight it."""
    if len(kb.faults) < 3:
        return
    for fault in kb.faults:
        others = sorted(f.prior for f in kb.faults if f is not fault)
        median = others[len(others) // 2]
        if fault.prior > PRIOR_OUTLIER_RATIO * median:
            yield Finding(
                faults[fault.key],
                f"starts {fault.prior / median:.0f} times likelier than a typical cause in "
                f"{generation} (its share times its type's rate): far from the rest. Check its "
                f"share",
                problem,
            )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def top_for_best_answers(kb: engine.KnowledgeBase, fault_key: str) -> str:
    """The first cause when every question is answered the way this fault makes most likely,
    compared with the others."""
    answers = {}
    prior = engine.posterior(kb, {})
    for symptom in kb.symptoms:
        p_fault = kb.p_yes(fault_key, symptom.key)
        others = [(f.key, prior[f.key]) for f in kb.faults if f.key != fault_key]
        total = sum(weight for _, weight in others) or 1.0
        p_others = sum(weight * kb.p_yes(key, symptom.key) for key, weight in others) / total
        if p_fault > p_others:
            answers[symptom.key] = "y"
        elif p_fault < p_others:
            answers[symptom.key] = "n"
    verdict = engine.diagnose(kb, answers)
    return verdict.candidates[0].fault


def _can_reach_top(kb: engine.KnowledgeBase, fault_key: str) -> bool:
    return top_for_best_answers(kb, fault_key) == fault_key
