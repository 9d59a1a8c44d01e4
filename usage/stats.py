"""The dashboard's figures, from the DailyCount rows, the counts not written to them yet
(usage/counters.py: the page is always current) and the reports (usage/sources.py).

Per question (summed over generations): how often it was shown, answered yes / no / don't know,
and abandoned there (shown − answered, never below 0; usage/events.py says why approximate).
Per generation: wizard starts, results, the results' top causes. Per fault: the table's prior
(the wizard's first ranking, before any answer) against the confirmed fixes. And how honest the
shown percentages are: the verified reports' reliability table (diagnosis/calibration.py, the
function bench/quality.py uses for its simulated owners).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Sum
from django.utils.translation import gettext

from diagnosis import calibration, content
from diagnosis.service import diagnose

from . import counters, sources
from .models import DailyCount

# "Don't know" this often, over at least this many answers: owners cannot answer the question
# as written (a content problem to fix: plainer words, a help text, or another question).
UNKNOWN_FLAG_RATE = 0.3
UNKNOWN_FLAG_MIN_ANSWERS = 20
DEFAULT_DAYS = 30


@dataclass
class QuestionUse:
    problem: str
    question: str
    text: str
    shown: int = 0
    yes: int = 0
    no: int = 0
    unknown: int = 0

    @property
    def answered(self) -> int:
        return self.yes + self.no + self.unknown

    @property
    def abandoned(self) -> int:
        return max(0, self.shown - self.answered)

    @property
    def drop_rate(self) -> float | None:
        return self.abandoned / self.shown if self.shown else None

    @property
    def unknown_rate(self) -> float | None:
        return self.unknown / self.answered if self.answered else None

    @property
    def flagged(self) -> bool:
        return (
            self.answered >= UNKNOWN_FLAG_MIN_ANSWERS
            and (self.unknown_rate or 0) >= UNKNOWN_FLAG_RATE
        )


@dataclass
class GenerationUse:
    problem: str
    generation: str
    name: str
    problem_title: str = ""
    starts: int = 0
    results: int = 0
    top_faults: dict[str, int] = field(default_factory=dict)  # by slug (the CSV's)
    fault_names: dict[str, str] = field(default_factory=dict)  # slug -> name, in the language

    @property
    def top_causes(self) -> list[tuple[str, int]]:
        """The results' top causes by name, most frequent first."""
        ranked = sorted(self.top_faults.items(), key=lambda item: (-item[1], item[0]))
        return [(self.fault_names.get(slug, slug), n) for slug, n in ranked]

    @property
    def completion(self) -> float | None:
        return self.results / self.starts if self.starts else None


@dataclass
class FaultFixes:
    problem: str
    generation: str
    generation_name: str
    fault: str
    name: str
    table_prior: float | None
    reports: int = 0
    confirmed: float = 0.0
    confirmed_share: float | None = None


@dataclass
class Report:
    day_from: dt.date
    day_to: dt.date
    questions: list[QuestionUse]
    generations: list[GenerationUse]
    fixes: list[FaultFixes]
    reports_connected: bool
    total_starts: int
    total_results: int
    # All generations and problems together: see docs/usage.md for why. None: no report yet.
    reliability: calibration.Reliability | None = None

    @property
    def empty(self) -> bool:
        return not (self.questions or self.generations)


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or dt.datetime.now(dt.UTC).date()
    return today - dt.timedelta(days=DEFAULT_DAYS - 1), today


def _compiled(problem: str):
    model_slug, _, problem_slug = problem.partition("/")
    return content.compiled_problem(model_slug, problem_slug)


def _question_text(compiled, slug: str) -> str:
    if compiled is not None:
        if slug in compiled.groups:
            return compiled.groups[slug].question
        if slug in compiled.symptoms:
            return compiled.symptoms[slug].question
    return slug  # removed from the content since: its slug


def _generation_name(compiled, code: str) -> str:
    generation = compiled.generations_by_code.get(code) if compiled else None
    return f"{generation.name} ({generation.years})" if generation else code


def _problem_title(compiled, problem: str) -> str:
    return f"{compiled.model_name}: {compiled.problem_title}" if compiled else problem


def _fault_name(compiled, slug: str) -> str:
    if not slug:
        return gettext("Something else")
    fault = compiled.faults.get(slug) if compiled else None
    return fault.name if fault else slug


def _rows(day_from: dt.date, day_to: dt.date) -> list[dict]:
    """The written counts of the days, then those still waiting in the counters (so a step
    taken a minute ago shows without "Write the counts now")."""
    rows = list(
        DailyCount.objects.filter(day__gte=day_from, day__lte=day_to)
        .values(*counters.EVENT_FIELDS)
        .annotate(total=Sum("count"))
        .order_by()
    )
    for (day, event), number in counters.pending().items():
        if day_from <= day <= day_to:
            rows.append({**dict(zip(counters.EVENT_FIELDS, event, strict=True)), "total": number})
    return rows


def build(day_from: dt.date, day_to: dt.date) -> Report:
    rows = _rows(day_from, day_to)
    compiled_of: dict[str, object] = {}

    def compiled(problem):
        if problem not in compiled_of:
            compiled_of[problem] = _compiled(problem)
        return compiled_of[problem]

    questions: dict[tuple[str, str], QuestionUse] = {}
    generations: dict[tuple[str, str], GenerationUse] = {}
    for row in rows:
        problem, kind, total = row["problem"], row["kind"], row["total"]
        if kind in ("shown", "answer"):
            key = (problem, row["question"])
            use = questions.get(key)
            if use is None:
                text = _question_text(compiled(problem), row["question"])
                use = questions[key] = QuestionUse(problem, row["question"], text)
            if kind == "shown":
                use.shown += total
            else:
                attribute = {"y": "yes", "n": "no", "u": "unknown"}.get(row["answer"])
                if attribute:
                    setattr(use, attribute, getattr(use, attribute) + total)
        else:
            key = (problem, row["generation"])
            use = generations.get(key)
            if use is None:
                name = _generation_name(compiled(problem), row["generation"])
                title = _problem_title(compiled(problem), problem)
                use = generations[key] = GenerationUse(problem, row["generation"], name, title)
            if kind == "start":
                use.starts += total
            else:
                use.results += total
                use.top_faults[row["fault"]] = use.top_faults.get(row["fault"], 0) + total
                use.fault_names[row["fault"]] = _fault_name(compiled(problem), row["fault"])
    ordered_questions = sorted(
        questions.values(), key=lambda q: (q.problem, -(q.drop_rate or 0), -q.shown, q.question)
    )
    ordered_generations = sorted(generations.values(), key=lambda g: (g.problem, g.generation))
    return Report(
        day_from=day_from,
        day_to=day_to,
        questions=ordered_questions,
        generations=ordered_generations,
        fixes=fixes_against_table(day_from, day_to, compiled),
        reports_connected=sources.connected(),
        total_starts=sum(g.starts for g in ordered_generations),
        total_results=sum(g.results for g in ordered_generations),
        reliability=calibration.reliability(sources.shown_and_confirmed(day_from, day_to)),
    )


def fixes_against_table(day_from, day_to, compiled=_compiled) -> list[FaultFixes]:
    """Per (problem, generation, fault) with any report: the table's prior, the reports, the
    weighted confirmed fixes and their share among the generation's confirmed fixes."""
    reports = sources.report_counts(day_from, day_to)
    confirmed = sources.confirmed_fixes(day_from, day_to)
    keys = set(reports) | set(confirmed)
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for (problem, generation, _), value in confirmed.items():
        totals[(problem, generation)] += value
    found = []
    priors: dict[tuple[str, str], dict[str, float]] = {}
    for problem, generation, fault in sorted(keys):
        program = compiled(problem)
        if (problem, generation) not in priors:
            info = program.generations_by_code.get(generation) if program else None
            first = diagnose(program, info, {}) if info else None
            priors[(problem, generation)] = (
                {c.fault.slug: c.probability for c in first.causes} if first else {}
            )
        value = confirmed.get((problem, generation, fault), 0.0)
        total = totals[(problem, generation)]
        found.append(
            FaultFixes(
                problem=problem,
                generation=generation,
                generation_name=_generation_name(program, generation),
                fault=fault,
                name=_fault_name(program, fault),
                table_prior=priors[(problem, generation)].get(fault),
                reports=reports.get((problem, generation, fault), 0),
                confirmed=value,
                confirmed_share=value / total if total else None,
            )
        )
    return found


def daily_rows(day_from: dt.date, day_to: dt.date):
    return DailyCount.objects.filter(day__gte=day_from, day__lte=day_to).order_by(
        "day", "kind", "problem", "generation", "question", "answer", "fault"
    )
