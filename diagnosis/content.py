"""Compiled content: what the wizard and the API need for one problem, built once and cached.

Building it costs three SQL queries whatever the size of the knowledge base (each query joins
the rows it needs); serving it costs none while the cache is warm. The cache key carries the
problem's version (kb/content_version.py), which every edit of the problem bumps (kb.signals,
kb/scopes.py), so an edit shows in the next diagnosis and other problems stay compiled.

Where staff switched learning on (reports.models.PriorLearning, read in query 1), the priors
blend the fault-rate table with the confirmed fixes: the function that blends them is the
feedback layer's (reports/learning.py), registered with diagnosis/priors.py, so this module
imports nothing above it. A staff change to a report's status, a workshop report or the
learning settings retires the problem's version too (reports.signals); an owner's new report
does not (it counts 0 until verified).

Each process keeps the compiled problems it used last (``CompiledProblems``, an LRU of
``settings.COMPILED_PROBLEMS_PER_PROCESS``) and counts its compiles in ``compiles``, a
``collections.Counter`` per "<model>/<problem>" that bench/scale.py reads to count the other
problems recompiled after a change of one.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field, replace
from functools import cached_property

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language, gettext

from kb.content_version import COMPILED_TIMEOUT, LISTING, content_version, problem_scope
from kb.languages import columns, short_text, text
from kb.models import (
    PRICE_FIELDS,
    Cost,
    Fault,
    Generation,
    Problem,
    Procedure,
    Source,
    VehicleModel,
    cost_ranges,
)
from web.release import release_id

from . import engine, priors

# What a symptom's effort level costs the owner, relative to a glance (a multimeter is work).
EFFORT_COST = {1: 1.0, 2: 1.25, 3: 4.0}
# Tools an owner can say they have (the answer token "have:<tool>", diagnosis/query.py): each
# makes the questions of one effort level cost as another, so the wizard asks them when they
# decide the case. A multimeter turns "needs a tool" (3) into "try something at the car" (2).
TOOLS = {"multimeter": (3, 2)}
# The plan's one cost scale (diagnosis/plan.py, docs/content.md "Plan: what to do, in this
# order"): the money an owner would give to save a minute of their own time, per currency
# (600 RUB an hour); a currency not named here counts at OTHER_MONEY_PER_MINUTE.
MONEY_PER_MINUTE = {"RUB": 10.0}
OTHER_MONEY_PER_MINUTE = 1.0
# A workshop job (difficulty 3) for which the article gives no price is priced as its time at
# a workshop's labour rate (3,000 RUB an hour), an estimate like the time itself.
WORKSHOP_MONEY_PER_MINUTE = {"RUB": 50.0}
WORKSHOP_DIFFICULTY = 3
# A fault whose group has no rate for the generation (kb_check reports it) counts as average.
MISSING_RATE_WEIGHT = 1.0


@dataclass(frozen=True, slots=True)
class GenerationInfo:
    code: str
    name: str
    year_from: int
    year_to: int | None
    is_facelift: bool

    @property
    def years(self) -> str:
        return f"{self.year_from}–{self.year_to or ''}"

    def covers(self, year: int) -> bool:
        return self.year_from <= year and (self.year_to is None or year <= self.year_to)


@dataclass(frozen=True, slots=True)
class StepInfo:
    number: int
    title: str
    text: str
    warning_title: str = ""
    warning_text: str = ""
    is_estimate: bool = False  # the article does not state it


@dataclass(frozen=True)
class ProcedureCard:
    slug: str
    title: str
    kind: str
    kind_label: str
    summary: str
    url: str
    difficulty: int
    difficulty_label: str
    time_min_minutes: int
    time_max_minutes: int
    tools: tuple[str, ...]
    currency: str
    costs: tuple[Cost, ...]
    time_is_estimate: bool = False  # the article does not state it
    costs_are_estimate: bool = False
    is_estimate: bool = False
    steps: tuple[StepInfo, ...] = ()

    @property
    def minutes(self) -> float:
        """The middle of its time range: what the plan counts."""
        return (self.time_min_minutes + max(self.time_max_minutes, self.time_min_minutes)) / 2

    @property
    def money(self) -> float:
        """The middle of its price: the cheaper part (aftermarket, else original) plus labour;
        without any price, a workshop job is its time at WORKSHOP_MONEY_PER_MINUTE and an owner's
        job costs nothing but time."""
        middle = {cost.kind: (cost.low + cost.high) / 2 for cost in self.costs}
        part = middle.get("part_analogue", middle.get("part_original", 0.0))
        if middle:
            return part + middle.get("labour", 0.0)
        if self.difficulty >= WORKSHOP_DIFFICULTY:
            return self.minutes * WORKSHOP_MONEY_PER_MINUTE.get(self.currency, 0.0)
        return 0.0

    @property
    def money_is_estimate(self) -> bool:
        return self.costs_are_estimate or not self.costs

    @property
    def warnings(self) -> list[tuple[str, str]]:
        seen = OrderedDict()
        for step in self.steps:
            if step.warning_title:
                seen.setdefault(step.warning_title, step.warning_text)
        return list(seen.items())


@dataclass(frozen=True, slots=True)
class FaultInfo:
    slug: str
    name: str  # the full title: the fault page's heading, shown under the short name
    summary: str
    category: str
    url: str
    procedures: tuple[str, ...]
    # A noun phrase for headings, lists, "why we ask", the report form and print; the name
    # where the content has none.
    short_name: str = ""


@dataclass(frozen=True, slots=True)
class SymptomInfo:
    slug: str
    question: str
    help_text: str
    statement: str
    effort: int
    group: str = ""  # the slug of its exclusive question group, if any
    option_label: str = ""  # its button as an option of that group


@dataclass(frozen=True, slots=True)
class GroupInfo:
    """A question whose answers exclude each other; its options are its member symptoms."""

    slug: str
    question: str
    help_text: str
    effort: int
    none_label: str
    members: tuple[str, ...]  # symptom slugs, in the order the options are shown


@dataclass
class CompiledProblem:
    model_slug: str
    model_name: str
    problem_slug: str
    problem_title: str
    problem_url: str
    diagnose_url: str
    generations: tuple[GenerationInfo, ...]
    faults: dict[str, FaultInfo]
    symptoms: dict[str, SymptomInfo]
    procedures: dict[str, ProcedureCard]
    emergency: ProcedureCard | None
    groups: dict[str, GroupInfo] = field(default_factory=dict)
    knowledge_bases: dict[str, engine.KnowledgeBase] = field(default_factory=dict)
    # The fault-rate table's prior weights per generation code, before any learning.
    table_priors: dict[str, dict[str, float]] = field(default_factory=dict)
    # The knowledge bases of owners with tools, per (generation code, tools), built when first
    # asked for (knowledge_base).
    tool_knowledge_bases: dict = field(default_factory=dict)
    is_draft: bool = False  # seen by staff only (kb.drafts)
    # Why the wizard cannot diagnose it (no fault, content the engine refuses): then it has no
    # knowledge base and, like a draft, only staff see it (is_public).
    not_ready: tuple[str, ...] = ()

    @property
    def is_public(self) -> bool:
        """Whether owners, the API and reports may use it: published and diagnosable. Every view
        of the wizard, the API and the reports asks this, never is_draft alone."""
        return not self.is_draft and not self.not_ready

    def knowledge_base(self, code: str, tools=()) -> engine.KnowledgeBase:
        """The engine's view of a generation for an owner with these tools (TOOLS): the
        questions their tools make easier cost less."""
        kb = self.knowledge_bases[code]
        costs = {}
        for tool in tools:
            harder, easier = TOOLS[tool]
            for slug, info in (*self.symptoms.items(), *self.groups.items()):
                if info.effort == harder:
                    costs[slug] = EFFORT_COST.get(easier, 1.0)
        if not costs:
            return kb
        key = (code, tuple(sorted(tools)))
        if key not in self.tool_knowledge_bases:
            self.tool_knowledge_bases[key] = engine.with_costs(kb, costs)
        return self.tool_knowledge_bases[key]

    @cached_property
    def generations_by_code(self) -> dict[str, GenerationInfo]:
        return {generation.code: generation for generation in self.generations}

    def generation_for_year(self, year: int) -> GenerationInfo | None:
        # A facelift shares years with nothing, so the first match is the only one.
        return next((g for g in self.generations if g.covers(year)), None)

    @property
    def year_range(self) -> tuple[int, int | None]:
        first = min(g.year_from for g in self.generations)
        open_ended = any(g.year_to is None for g in self.generations)
        return first, None if open_ended else max(g.year_to for g in self.generations)


def _procedure_card(row: dict, model_slug: str) -> ProcedureCard:
    return ProcedureCard(
        slug=row["slug"],
        title=text(row, "title"),
        kind=row["kind"],
        kind_label=str(Procedure.Kind(row["kind"]).label),  # in the language compiled for
        summary=text(row, "summary"),
        url=reverse("kb:procedure", args=[model_slug, row["slug"]]),
        difficulty=row["difficulty"],
        difficulty_label=str(Procedure.Difficulty(row["difficulty"]).label),
        time_min_minutes=row["time_min_minutes"],
        time_max_minutes=row["time_max_minutes"],
        tools=tuple(line.strip() for line in text(row, "tools").splitlines() if line.strip()),
        currency=row["currency"],
        costs=cost_ranges(row.get),
        time_is_estimate=row["time_source"] == Source.ESTIMATE,
        costs_are_estimate=row["cost_source"] == Source.ESTIMATE,
        is_estimate=row["source"] == Source.ESTIMATE,
    )


def build(model_slug: str, problem_slug: str) -> CompiledProblem | None:
    """Read one problem's content in three queries; None when the model or problem is unknown."""
    problem = _read_problem(model_slug, problem_slug)
    if problem is None:
        return None
    generations, weights, generation_ids = _read_generations(problem.vehicle_model_id)
    procedures, emergency = _read_procedures(problem, model_slug)
    compiled = CompiledProblem(
        model_slug=model_slug,
        model_name=problem.model_name,
        problem_slug=problem_slug,
        problem_title=problem.title,
        problem_url=reverse("kb:problem", args=[model_slug, problem_slug]),
        diagnose_url=reverse("diagnosis:wizard", args=[model_slug, problem_slug]),
        generations=tuple(generations.values()),
        faults={
            fault.slug: FaultInfo(
                slug=fault.slug,
                name=fault.name,
                summary=fault.summary,
                category=fault.category,
                url=reverse("kb:fault", args=[model_slug, problem_slug, fault.slug]),
                procedures=tuple(fault.procedures),
                short_name=fault.short_name,
            )
            for fault in problem.faults.values()
        },
        symptoms={info.slug: info for _, info, _ in problem.ordered_symptoms},
        groups=problem.group_infos,
        procedures=procedures,
        emergency=emergency,
        is_draft=not problem.is_published,
    )
    if not problem.faults:
        compiled.not_ready = (gettext("no fault yet"),)
        return compiled
    try:
        for code in generations:
            table = {
                fault.slug: weights.get((code, fault.group_id), MISSING_RATE_WEIGHT) * fault.share
                for fault in problem.faults.values()
            }
            compiled.table_priors[code] = table
            compiled.knowledge_bases[code] = _knowledge_base(
                problem, _priors(problem, table, generation_ids[code])
            )
    except ValueError as error:  # the engine refuses content it cannot reason with
        compiled.knowledge_bases.clear()
        compiled.table_priors.clear()
        compiled.not_ready = (gettext("the wizard cannot use it: %(error)s") % {"error": error},)
    return compiled


def _priors(problem: _ProblemRows, table: dict[str, float], generation_id: int) -> dict:
    """The table's priors, or, where learning is on and reports exist, the blend."""
    if not problem.learning or not problem.learning["enabled"] or not table:
        return table
    slug_of = {str(fault_id): fault.slug for fault_id, fault in problem.faults.items()}
    reported = (problem.learning["counts"] or {}).get(str(generation_id), {})
    counts = {slug_of[key]: by_kind for key, by_kind in reported.items() if key in slug_of}
    return priors.learned_priors(table, counts, problem.learning)


@dataclass
class _FaultRow:
    slug: str
    name: str
    summary: str
    category: str
    group_id: int
    share: float
    short_name: str = ""
    procedures: list[str] = field(default_factory=list)


@dataclass
class _ProblemRows:
    """What query 1 returns, gathered per fault, symptom and question group."""

    id: int
    title: str
    model_name: str
    vehicle_model_id: int
    emergency_procedure_id: int | None
    is_published: bool
    learning: dict | None = None  # the problem's PriorLearning row, when it has one
    faults: dict[int, _FaultRow] = field(default_factory=dict)
    # slug -> (order, info, P(yes) for another cause)
    symptoms: dict[str, tuple[int, SymptomInfo, float]] = field(default_factory=dict)
    # slug -> (order, slug, question, help, effort, none label)
    groups: dict[str, tuple] = field(default_factory=dict)
    likelihoods: dict[tuple[str, str], float] = field(default_factory=dict)

    # Read once the rows are gathered: the wizard info and every generation's engine view use them.
    @cached_property
    def ordered_symptoms(self) -> list[tuple[int, SymptomInfo, float]]:
        return sorted(self.symptoms.values(), key=lambda item: (item[0], item[1].slug))

    @cached_property
    def group_infos(self) -> dict[str, GroupInfo]:
        members: dict[str, list[str]] = {}
        for _, info, _ in self.ordered_symptoms:
            if info.group:
                members.setdefault(info.group, []).append(info.slug)
        return {
            slug: GroupInfo(slug, question, help_text, effort, none_label, tuple(members[slug]))
            for _, slug, question, help_text, effort, none_label in sorted(self.groups.values())
            if slug in members
        }


_SYMPTOM = "faults__likelihoods__symptom__"
_LEARNING = tuple(
    f"learning__{name}"
    for name in (
        "id",
        "enabled",
        "strength",
        "verified_weight",
        "workshop_weight",
        "new_weight",
        "counts",
    )
)
_GROUP = _SYMPTOM + "group__"


def _read_problem(model_slug: str, problem_slug: str) -> _ProblemRows | None:
    """Query 1: the problem, its model, its learning settings, its faults, and each fault's
    likelihoods with their symptom and the symptom's question group. A LEFT JOIN keeps a
    problem with no faults and a fault with no likelihoods."""
    rows = (
        Problem.objects.filter(vehicle_model__slug=model_slug, slug=problem_slug)
        .values(
            "id",
            *columns("title"),
            "emergency_procedure_id",
            "is_published",
            "vehicle_model_id",
            *columns("vehicle_model__name", "vehicle_model__make__name"),
            *_LEARNING,
            "faults__id",
            "faults__slug",
            *columns("faults__name", "faults__short_name", "faults__summary"),
            "faults__category",
            "faults__group_id",
            "faults__share",
            "faults__likelihoods__p_yes",
            *(_SYMPTOM + name for name in ("slug", "effort", "p_yes_otherwise", "order")),
            *columns(
                *(
                    _SYMPTOM + name
                    for name in ("question", "help_text", "statement", "option_label")
                )
            ),
            *(_GROUP + name for name in ("slug", "effort", "order")),
            *columns(*(_GROUP + name for name in ("question", "help_text", "none_label"))),
        )
        .order_by("faults__order", "faults__name", _SYMPTOM + "order")
    )
    problem = None
    for row in rows:
        if problem is None:
            problem = _ProblemRows(
                id=row["id"],
                title=text(row, "title"),
                model_name=f"{text(row, 'vehicle_model__make__name')} "
                f"{text(row, 'vehicle_model__name')}",
                vehicle_model_id=row["vehicle_model_id"],
                emergency_procedure_id=row["emergency_procedure_id"],
                is_published=row["is_published"],
                learning=(
                    {name.removeprefix("learning__"): row[name] for name in _LEARNING}
                    if row["learning__id"] is not None
                    else None
                ),
            )
        if row["faults__id"] is None:
            continue
        fault = problem.faults.setdefault(
            row["faults__id"],
            _FaultRow(
                slug=row["faults__slug"],
                name=text(row, "faults__name"),
                short_name=short_text(row, "faults__short_name", "faults__name"),
                summary=text(row, "faults__summary"),
                category=row["faults__category"],
                group_id=row["faults__group_id"],
                share=row["faults__share"],
            ),
        )
        symptom_slug = row[_SYMPTOM + "slug"]
        if symptom_slug is None:
            continue
        group_slug = row[_GROUP + "slug"] or ""
        problem.symptoms.setdefault(
            symptom_slug,
            (
                row[_SYMPTOM + "order"],
                SymptomInfo(
                    slug=symptom_slug,
                    question=text(row, _SYMPTOM + "question"),
                    help_text=text(row, _SYMPTOM + "help_text"),
                    statement=text(row, _SYMPTOM + "statement"),
                    effort=row[_SYMPTOM + "effort"],
                    group=group_slug,
                    option_label=text(row, _SYMPTOM + "option_label") or "",
                ),
                row[_SYMPTOM + "p_yes_otherwise"],
            ),
        )
        if group_slug:
            problem.groups.setdefault(
                group_slug,
                (
                    row[_GROUP + "order"],
                    group_slug,
                    text(row, _GROUP + "question"),
                    text(row, _GROUP + "help_text"),
                    row[_GROUP + "effort"],
                    text(row, _GROUP + "none_label"),
                ),
            )
        problem.likelihoods[(fault.slug, symptom_slug)] = row["faults__likelihoods__p_yes"]
    return problem


def _read_generations(
    vehicle_model_id: int,
) -> tuple[dict[str, GenerationInfo], dict[tuple[str, int], float], dict[str, int]]:
    """Query 2: the model's generations with each fault type's rate weight (a LEFT JOIN keeps
    a generation that has no rates yet), and each generation's id by code."""
    generations: dict[str, GenerationInfo] = {}
    weights: dict[tuple[str, int], float] = {}
    ids: dict[str, int] = {}
    for row in (
        Generation.objects.filter(vehicle_model_id=vehicle_model_id)
        .values(
            "id",
            "code",
            *columns("name"),
            "year_from",
            "year_to",
            "is_facelift",
            "rates__group_id",
            "rates__level__weight",
        )
        .order_by("year_from", "code")
    ):
        ids[row["code"]] = row["id"]
        generations.setdefault(
            row["code"],
            GenerationInfo(
                row["code"],
                text(row, "name"),
                row["year_from"],
                row["year_to"],
                row["is_facelift"],
            ),
        )
        if row["rates__group_id"] is not None:
            weights[(row["code"], row["rates__group_id"])] = row["rates__level__weight"]
    return generations, weights, ids


def _read_procedures(
    problem: _ProblemRows, model_slug: str
) -> tuple[dict[str, ProcedureCard], ProcedureCard | None]:
    """Query 3: the procedures for the problem's faults and its emergency one, with steps and
    warnings. Also links each fault (in `problem.faults`) to its procedures' slugs."""
    procedures: dict[int, ProcedureCard] = {}
    steps: dict[int, dict[int, StepInfo]] = {}
    linked = Fault.procedures.through.objects.filter(fault__problem_id=problem.id)
    for row in (
        Procedure.objects.filter(
            Q(id__in=linked.values("procedure_id")) | Q(emergency_for__id=problem.id)
        )
        .values(
            "id",
            "slug",
            *columns("title"),
            "kind",
            *columns("summary"),
            "source",
            "difficulty",
            "time_min_minutes",
            "time_max_minutes",
            "time_source",
            *columns("tools"),
            "currency",
            "cost_source",
            *PRICE_FIELDS,
            "order",
            "steps__number",
            *columns("steps__title", "steps__text"),
            "steps__source",
            *columns("steps__warning__title", "steps__warning__text"),
            "faults__id",
        )
        .order_by("order", "title", "steps__number")
    ):
        card = procedures.get(row["id"])
        if card is None:
            card = procedures[row["id"]] = _procedure_card(row, model_slug)
        if row["steps__number"] is not None:
            steps.setdefault(row["id"], {})[row["steps__number"]] = StepInfo(
                row["steps__number"],
                text(row, "steps__title"),
                text(row, "steps__text"),
                text(row, "steps__warning__title") or "",
                text(row, "steps__warning__text") or "",
                is_estimate=row["steps__source"] == Source.ESTIMATE,
            )
        fault = problem.faults.get(row["faults__id"])
        if fault is not None and card.slug not in fault.procedures:
            fault.procedures.append(card.slug)
    cards = {
        card.slug: _with_steps(card, steps.get(procedure_id, {}))
        for procedure_id, card in procedures.items()
    }
    emergency_id = problem.emergency_procedure_id
    emergency = cards.get(procedures[emergency_id].slug) if emergency_id in procedures else None
    return cards, emergency


def _knowledge_base(problem: _ProblemRows, priors: dict[str, float]) -> engine.KnowledgeBase:
    """The engine's view of the problem in one generation. Each fault's table prior is its
    type's rate weight in that generation times the fault's share of the type (`_priors`)."""
    ordered = problem.ordered_symptoms
    info = problem.group_infos
    return engine.KnowledgeBase(
        [engine.Fault(fault.slug, priors[fault.slug]) for fault in problem.faults.values()],
        [
            engine.Symptom(symptom.slug, EFFORT_COST.get(symptom.effort, 1.0), p_otherwise)
            for _, symptom, p_otherwise in ordered
        ],
        problem.likelihoods,
        [
            engine.Group(group.slug, group.members, EFFORT_COST.get(group.effort, 1.0))
            for group in info.values()
        ],
    )


def _with_steps(card: ProcedureCard, steps: dict[int, StepInfo]) -> ProcedureCard:
    return replace(card, steps=tuple(steps[number] for number in sorted(steps)))


# How many times this process compiled a problem from the database (``build``), per
# "<model>/<problem>": a cache hit (this process's or the shared one) is not a compile. A
# benchmark reads it to count the problems recompiled after an edit of one (bench/scale.py):
#     before = compiles.copy(); ...; recompiled = compiles - before
compiles: Counter[str] = Counter()


class CompiledProblems:
    """Compiled problems kept in this process in front of the shared cache: an LRU of at most
    ``settings.COMPILED_PROBLEMS_PER_PROCESS`` (problem, language) entries, so a warm request
    neither queries the database nor unpickles, and a knowledge base of a thousand problems
    does not fill a worker's memory (the shared cache holds the rest). Each entry keeps the
    version it was compiled for; another version (an edit of that problem) replaces it."""

    def __init__(self):
        self.entries: OrderedDict[tuple[str, str, str], tuple[str, CompiledProblem | None]]
        self.entries = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[str, str, str], version: str):
        """(True, the compiled problem or None) when kept for this version, else (False, None)."""
        with self.lock:
            found = self.entries.get(key)
            if found is None or found[0] != version:
                return False, None
            self.entries.move_to_end(key)
            return True, found[1]

    def put(self, key: tuple[str, str, str], version: str, compiled) -> None:
        limit = settings.COMPILED_PROBLEMS_PER_PROCESS
        with self.lock:
            self.entries[key] = (version, compiled)
            self.entries.move_to_end(key)
            while len(self.entries) > max(limit, 0):
                self.entries.popitem(last=False)  # the least recently used

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, key) -> bool:
        return key in self.entries


# The texts are the active language's (kb/translation.py), so the language is in the keys.
_local = CompiledProblems()


def compiled_problem(model_slug: str, problem_slug: str) -> CompiledProblem | None:
    version = content_version(problem_scope(model_slug, problem_slug))
    language = get_language()
    local_key = (model_slug, problem_slug, language)
    kept, compiled = _local.get(local_key, version)
    if kept:
        return compiled
    cache_key = (
        f"diagnosis:compiled:{release_id()}:{version}:{model_slug}:{problem_slug}:{language}"
    )
    compiled = cache.get(cache_key)
    if compiled is None:
        compiled = build(model_slug, problem_slug)
        compiles[f"{model_slug}/{problem_slug}"] += 1
        if compiled is not None:
            cache.set(cache_key, compiled, timeout=COMPILED_TIMEOUT)
    _local.put(local_key, version, compiled)
    return compiled


def catalog() -> dict[str, list[str]]:
    """Every vehicle model slug with its problem slugs: the valid values named in errors."""
    key = f"diagnosis:catalog:{release_id()}:{content_version(LISTING)}"
    result = cache.get(key)
    if result is None:
        result = {}
        for model_slug, problem_slug, published in VehicleModel.objects.values_list(
            "slug", "problems__slug", "problems__is_published"
        ).order_by("slug", "problems__order", "problems__slug"):
            problems = result.setdefault(model_slug, [])
            if problem_slug and published:  # a draft is named to no one
                problems.append(problem_slug)
        cache.set(key, result, timeout=COMPILED_TIMEOUT)
    return result
