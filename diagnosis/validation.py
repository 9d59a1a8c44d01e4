"""Content checks that need the engine: can each fault be diagnosed at all, and does each of the
shop's own test cases (diagnosis.models.ScenarioCase) come out as it must?

Registered with kb.validation's `@check`, so kb_check, the admin's "Content check" page and
the message after a save all report them.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kb.models import Fault, Problem
from kb.validation import Finding, check

from . import content, engine, scenarios
from .models import ScenarioCase

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


# --- the shop's own test cases (diagnosis.models.ScenarioCase) ---------------------------------


@check
def _test_cases(problem: Problem | None = None) -> Iterator[Finding]:
    """Play every active test case of each problem through the wizard (diagnosis/scenarios.py).

    A case fails, and blocks publishing, when a cause it names is not in the top three. Over
    a problem's cases, the expected cause must come first in FIRST_TARGET of them (blocking
    too: it is the design's target, which the scenario tests hold the shipped content to); more
    than MEAN_QUESTIONS_TARGET questions on average is reported without blocking: the wizard
    still works, owners answer more. No case can pass the budget: the engine stops at it.
    """
    cases = ScenarioCase.objects.filter(is_active=True).select_related(
        "problem__vehicle_model", "generation"
    )
    if problem is not None:
        cases = cases.filter(problem=problem)
    by_problem: dict[Problem, list[ScenarioCase]] = {}
    for case in cases.order_by("problem_id", "pk"):
        by_problem.setdefault(case.problem, []).append(case)
    for item, its_cases in by_problem.items():
        compiled = content.build(item.vehicle_model.slug, item.slug)
        if compiled is None or compiled.not_ready:
            continue  # _diagnosability reports why the wizard cannot run
        yield from _case_findings(item, compiled, its_cases)


def play_case(compiled: content.CompiledProblem, case: ScenarioCase) -> scenarios.Verdict | None:
    """The case's verdict; None when the content no longer has its generation."""
    if case.generation.code not in compiled.generations_by_code:
        return None
    return scenarios.judge(
        compiled,
        case.generation.code,
        {slug: value for slug, value in _facts(case).items() if slug in compiled.symptoms},
        case.first if case.first in compiled.faults else "",
        [slug for slug in case.expected if slug in compiled.faults],
    )


def _case_findings(item: Problem, compiled, cases: list[ScenarioCase]) -> Iterator[Finding]:
    verdicts: list[tuple[ScenarioCase, scenarios.Verdict]] = []
    for case in cases:
        gone = _unknown_slugs(compiled, case)
        if gone:  # renamed or deleted since the case was written: it tests less than it says
            yield Finding(
                case,
                _("names what the problem no longer has: %(slugs)s. Edit the case")
                % {"slugs": ", ".join(gone)},
                item,
                blocking=True,
            )
        verdict = play_case(compiled, case)
        if verdict is None:
            continue
        verdicts.append((case, verdict))
        if not verdict.passes:
            yield Finding(case, _fails(compiled, case, verdict), item, blocking=True)
    summary = scenarios.Summary(tuple(verdict for _case, verdict in verdicts))
    if not summary.meets_first_target:  # each case that missed first place is to look at
        for case, verdict in verdicts:
            if verdict.passes and verdict.first_ranks_first is False:
                message = _came_first(compiled, case, verdict, summary)
                yield Finding(case, message, item, blocking=True)
    if not summary.meets_mean_target:
        yield Finding(
            item,
            _(
                "its test cases take %(mean)s questions on average, over the target of "
                "%(target)s (the longest takes %(max)s; the wizard stops at %(budget)s)"
            )
            % {
                "mean": f"{summary.mean_questions:.1f}",
                "target": f"{scenarios.MEAN_QUESTIONS_TARGET:g}",
                "max": summary.max_questions,
                "budget": scenarios.MAX_QUESTIONS,
            },
            item,
        )


def _facts(case: ScenarioCase) -> dict:
    """The case's facts; none when a row saved past validation holds something else."""
    return case.facts if isinstance(case.facts, dict) else {}


def _unknown_slugs(compiled, case: ScenarioCase) -> list[str]:
    return sorted(
        {slug for slug in _facts(case) if slug not in compiled.symptoms}
        | {slug for slug in case.expected if slug not in compiled.faults}
        | ({case.generation.code} - set(compiled.generations_by_code))
    )


def _percent(share: float) -> str:
    return f"{share * 100:.0f} %"


def _cause(compiled, cause) -> str:
    return _("“%(name)s” (%(percent)s)") % {
        "name": cause.fault.name,
        "percent": cause.percent_label,
    }


def _after(verdict: scenarios.Verdict) -> str:
    steps = verdict.played.steps
    if not steps:
        return _("before any question")
    answers = "; ".join(
        _("“%(question)s” — %(answer)s") % {"question": s.question, "answer": s.answer}
        for s in steps
    )
    return ngettext(
        "after %(count)s question: %(answers)s",
        "after %(count)s questions: %(answers)s",
        len(steps),
    ) % {"count": len(steps), "answers": answers}


def _fails(compiled, case: ScenarioCase, verdict: scenarios.Verdict) -> str:
    causes = verdict.played.outcome.causes
    return _(
        "fails in %(generation)s: %(missing)s not in the top three, which is %(top)s, %(after)s"
    ) % {
        "generation": case.generation.name,
        "missing": ", ".join(f"“{compiled.faults[slug].name}”" for slug in verdict.missing),
        "top": ", ".join(_cause(compiled, cause) for cause in causes[: scenarios.TOP]),
        "after": _after(verdict),
    }


def _came_first(compiled, case, verdict: scenarios.Verdict, summary: scenarios.Summary) -> str:
    return _(
        "in %(generation)s %(winner)s came first, not “%(expected)s”, %(after)s. The expected "
        "cause comes first in %(share)s of the problem's test cases, under the target of "
        "%(target)s"
    ) % {
        "generation": case.generation.name,
        "winner": _cause(compiled, verdict.played.outcome.causes[0]),
        "expected": compiled.faults[case.first].name,
        "after": _after(verdict),
        "share": _percent(summary.first_share),
        "target": _percent(scenarios.FIRST_TARGET),
    }
