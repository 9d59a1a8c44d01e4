"""Content checks that need the engine: can each fault be diagnosed at all?

Registered with kb.validation's `@check`, so kb_check, the admin's "Content check" page and
the message after a save all report them.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
        compiled = content.build(item.vehicle_model.slug, item.slug)
        if compiled is None:
            continue
        if compiled.faults:  # a problem without faults is kb.validation's finding
            for reason in compiled.not_ready:  # the engine refuses content it cannot reason with
                yield Finding(item, reason, item, blocking=True)
        if compiled.not_ready:
            continue
        faults = {
            fault.slug: fault for fault in item.faults.select_related("problem__vehicle_model")
        }
        names = {g.code: g.name for g in compiled.generations}
        # The same finding in several generations is one line naming them all.
        merged: dict[tuple[str, str], tuple[Fault, list[str], list[float]]] = {}
        for code, kb in compiled.knowledge_bases.items():
            for fault, kind, figure in _generation_findings(faults, kb):
                entry = merged.setdefault((fault.slug, kind), (fault, [], []))
                entry[1].append(names[code])
                entry[2].append(figure)
        for (_slug, kind), (fault, generations, figures) in merged.items():
            message = MESSAGES[kind[0:4]](_in(generations), figures, kind[5:])
            # a cause no answer raises to the top can never be the wizard's verdict
            yield Finding(fault, message, item, blocking=kind.startswith("lost"))


def _odds(where: str, figures: list[float], winner: str) -> str:
    return _(
        "starts %(times)s times likelier than a typical cause %(where)s (its share times its "
        "type's rate): far from the rest. Check its share"
    ) % {"times": f"{max(figures):.0f}", "where": where}


def _stays_first(where: str, figures: list[float], winner: str) -> str:
    others = int(max(figures))
    return ngettext(
        "stays first %(where)s even when the answers point to %(count)s other cause: its "
        "share, or its fault type's rate, is far above the rest. Lower its share, or check its "
        "type's rate",
        "stays first %(where)s even when the answers point to %(count)s other causes: its "
        "share, or its fault type's rate, is far above the rest. Lower its share, or check its "
        "type's rate",
        others,
    ) % {"where": where, "count": others}


def _never_first(where: str, figures: list[float], winner: str) -> str:
    return _(
        "no answers raise it to the top %(where)s: even the answers that point to it most "
        "leave “%(winner)s” first"
    ) % {"where": where, "winner": winner}


# Each finding's message, made when the check runs so that it is in the active language.
MESSAGES = {"odds": _odds, "stay": _stays_first, "lost": _never_first}


def _in(generations: list[str]) -> str:
    if len(generations) == 1:
        return _("in generation %(name)s") % {"name": generations[0]}
    return _("in generations %(names)s and %(last)s") % {
        "names": ", ".join(generations[:-1]),
        "last": generations[-1],
    }


def _generation_findings(faults: dict[str, Fault], kb: engine.KnowledgeBase):
    """(fault, kind, figure) for one generation; kind "lost:<winner>" carries the winner."""
    yield from _prior_outliers(faults, kb)
    winners = {fault.key: top_for_best_answers(kb, fault.key) for fault in kb.faults}
    unreachable = {key: winner for key, winner in winners.items() if winner != key}
    # When one fault keeps all the others from the top, it is the one to fix (its share, or
    # its type's rate, is far above the rest): name it, not only the faults it hides.
    blockers = set(unreachable.values())
    if len(blockers) == 1:
        (key,) = blockers
        yield faults[key], "stay", float(len(unreachable))
    for key, winner in unreachable.items():
        yield faults[key], f"lost:{faults[winner]}", 0.0


def _prior_outliers(faults: dict[str, Fault], kb: engine.KnowledgeBase):
    """A fault whose prior (its type's rate times its share) dwarfs the others': before any
    answer the wizard all but names it, and every answer must fight it."""
    if len(kb.faults) < 3:
        return
    for fault in kb.faults:
        others = sorted(f.prior for f in kb.faults if f is not fault)
        median = others[len(others) // 2]
        if fault.prior > PRIOR_OUTLIER_RATIO * median:
            yield faults[fault.key], "odds", fault.prior / median


def top_for_best_answers(kb: engine.KnowledgeBase, fault_key: str) -> str:
    """The first cause when every question is answered the way this fault makes most likely,
    compared with the others (a group by its most telling option)."""
    prior = engine.posterior(kb, {})
    others = {f.key: prior[f.key] for f in kb.faults if f.key != fault_key}
    total = sum(others.values()) or 1.0
    answers: dict[str, str] = {}
    for question in kb.question_keys():
        mine = kb.answer_distribution(fault_key, question)
        theirs = dict.fromkeys(mine, 0.0)
        for key, weight in others.items():
            for option, p in kb.answer_distribution(key, question).items():
                theirs[option] += weight * p / total
        best = max(mine, key=lambda option: mine[option] / theirs[option])
        if mine[best] <= theirs[best]:
            continue  # every answer favours another cause at least as much
        if kb.is_group(question):
            for member in kb.group(question).members:
                answers[member] = "y" if member == best else "n"
        else:
            answers[question] = best
    # The posterior alone (diagnose would also choose a next question); ties go to the first
    # fault in knowledge-base order, as in diagnose's ranking.
    after = engine.posterior(kb, answers)
    return max(kb.faults, key=lambda fault: after[fault.key]).key


def _can_reach_top(kb: engine.KnowledgeBase, fault_key: str) -> bool:
    return top_for_best_answers(kb, fault_key) == fault_key
