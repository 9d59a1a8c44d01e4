"""Compiled content: what the wizard and the API need for one problem, built once and cached.

Building it costs three SQL queries whatever the size of the knowledge base (each query joins
the rows it needs); serving it costs none while the cache is warm. The cache key carries the
content version, which every edit bumps (kb.signals), so an edit shows in the next diagnosis.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field, replace
from functools import cached_property

from django.core.cache import cache
from django.db.models import Q
from django.urls import reverse

from config.release import release_id
from kb.content_version import COMPILED_TIMEOUT, content_version
from kb.models import Fault, Generation, Problem, Procedure, VehicleModel

from . import engine

# What a symptom's effort level costs the owner, relative to a glance (a multimeter is work).
EFFORT_COST = {1: 1.0, 2: 1.6, 3: 4.0}
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


@dataclass(frozen=True, slots=True)
class Cost:
    label: str
    low: int
    high: int


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
    steps: tuple[StepInfo, ...] = ()

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
    name: str
    summary: str
    category: str
    url: str
    procedures: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SymptomInfo:
    slug: str
    question: str
    help_text: str
    statement: str
    effort: int


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
    knowledge_bases: dict[str, engine.KnowledgeBase] = field(default_factory=dict)

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
    costs = []
    for label, low, high in (
        ("Original part", "part_original_min", "part_original_max"),
        ("Analogue part", "part_analogue_min", "part_analogue_max"),
        ("Labour", "labour_min", "labour_max"),
    ):
        if row[low] is not None:
            costs.append(Cost(label, row[low], row[high] if row[high] is not None else row[low]))
    return ProcedureCard(
        slug=row["slug"],
        title=row["title"],
        kind=row["kind"],
        kind_label=Procedure.Kind(row["kind"]).label,
        summary=row["summary"],
        url=reverse("kb:procedure", args=[model_slug, row["slug"]]),
        difficulty=row["difficulty"],
        difficulty_label=Procedure.Difficulty(row["difficulty"]).label,
        time_min_minutes=row["time_min_minutes"],
        time_max_minutes=row["time_max_minutes"],
        tools=tuple(line.strip() for line in row["tools"].splitlines() if line.strip()),
        currency=row["currency"],
        costs=tuple(costs),
    )


def build(model_slug: str, problem_slug: str) -> CompiledProblem | None:
    """Read one problem's content in three queries; None when the model or problem is unknown."""
    # Query 1: the problem, its model, its faults, and each fault's likelihoods with their symptom.
    # A LEFT JOIN keeps a problem with no faults and a fault with no likelihoods.
    rows = list(
        Problem.objects.filter(vehicle_model__slug=model_slug, slug=problem_slug)
        .values(
            "id",
            "title",
            "emergency_procedure_id",
            "vehicle_model_id",
            "vehicle_model__name",
            "vehicle_model__make__name",
            "faults__id",
            "faults__slug",
            "faults__name",
            "faults__summary",
            "faults__category",
            "faults__group_id",
            "faults__prior_factor",
            "faults__order",
            "faults__likelihoods__p_yes",
            "faults__likelihoods__symptom__slug",
            "faults__likelihoods__symptom__question",
            "faults__likelihoods__symptom__help_text",
            "faults__likelihoods__symptom__statement",
            "faults__likelihoods__symptom__effort",
            "faults__likelihoods__symptom__p_yes_otherwise",
            "faults__likelihoods__symptom__order",
        )
        .order_by("faults__order", "faults__name", "faults__likelihoods__symptom__order")
    )
    if not rows:
        return None
    head = rows[0]
    problem_id = head["id"]

    faults: dict[int, dict] = {}
    symptoms: dict[str, tuple[int, SymptomInfo, float]] = {}
    likelihoods: dict[tuple[str, str], float] = {}
    for row in rows:
        if row["faults__id"] is None:
            continue
        fault = faults.setdefault(
            row["faults__id"],
            {
                "slug": row["faults__slug"],
                "name": row["faults__name"],
                "summary": row["faults__summary"],
                "category": row["faults__category"],
                "group_id": row["faults__group_id"],
                "prior_factor": row["faults__prior_factor"],
                "procedures": [],
            },
        )
        symptom_slug = row["faults__likelihoods__symptom__slug"]
        if symptom_slug is None:
            continue
        symptoms.setdefault(
            symptom_slug,
            (
                row["faults__likelihoods__symptom__order"],
                SymptomInfo(
                    slug=symptom_slug,
                    question=row["faults__likelihoods__symptom__question"],
                    help_text=row["faults__likelihoods__symptom__help_text"],
                    statement=row["faults__likelihoods__symptom__statement"],
                    effort=row["faults__likelihoods__symptom__effort"],
                ),
                row["faults__likelihoods__symptom__p_yes_otherwise"],
            ),
        )
        likelihoods[(fault["slug"], symptom_slug)] = row["faults__likelihoods__p_yes"]

    # Query 2: the model's generations with each fault group's rate (LEFT JOIN keeps a
    # generation that has no rates yet).
    generations: dict[str, GenerationInfo] = {}
    weights: dict[tuple[str, int], float] = {}
    for row in (
        Generation.objects.filter(vehicle_model_id=head["vehicle_model_id"])
        .values(
            "code",
            "name",
            "year_from",
            "year_to",
            "is_facelift",
            "rates__group_id",
            "rates__level__weight",
        )
        .order_by("year_from", "code")
    ):
        generations.setdefault(
            row["code"],
            GenerationInfo(
                row["code"], row["name"], row["year_from"], row["year_to"], row["is_facelift"]
            ),
        )
        if row["rates__group_id"] is not None:
            weights[(row["code"], row["rates__group_id"])] = row["rates__level__weight"]

    # Query 3: the procedures for these faults and the emergency one, with steps and warnings.
    procedures: dict[int, ProcedureCard] = {}
    steps: dict[int, dict[int, StepInfo]] = {}
    fault_ids = set(faults)
    linked = Fault.procedures.through.objects.filter(fault__problem_id=problem_id)
    for row in (
        Procedure.objects.filter(
            Q(id__in=linked.values("procedure_id")) | Q(emergency_for__id=problem_id)
        )
        .values(
            "id",
            "slug",
            "title",
            "kind",
            "summary",
            "difficulty",
            "time_min_minutes",
            "time_max_minutes",
            "tools",
            "currency",
            "part_original_min",
            "part_original_max",
            "part_analogue_min",
            "part_analogue_max",
            "labour_min",
            "labour_max",
            "order",
            "steps__number",
            "steps__title",
            "steps__text",
            "steps__warning__title",
            "steps__warning__text",
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
                row["steps__title"],
                row["steps__text"],
                row["steps__warning__title"] or "",
                row["steps__warning__text"] or "",
            )
        if row["faults__id"] in fault_ids:
            links = faults[row["faults__id"]]["procedures"]
            if card.slug not in links:
                links.append(card.slug)
    cards = {
        card.slug: _with_steps(card, steps.get(procedure_id, {}))
        for procedure_id, card in procedures.items()
    }
    emergency_id = head["emergency_procedure_id"]
    emergency = cards.get(procedures[emergency_id].slug) if emergency_id in procedures else None

    ordered_symptoms = sorted(symptoms.values(), key=lambda item: (item[0], item[1].slug))
    fault_infos = {
        fault["slug"]: FaultInfo(
            slug=fault["slug"],
            name=fault["name"],
            summary=fault["summary"],
            category=fault["category"],
            url=reverse("kb:fault", args=[model_slug, problem_slug, fault["slug"]]),
            procedures=tuple(fault["procedures"]),
        )
        for fault in faults.values()
    }
    compiled = CompiledProblem(
        model_slug=model_slug,
        model_name=f"{head['vehicle_model__make__name']} {head['vehicle_model__name']}",
        problem_slug=problem_slug,
        problem_title=head["title"],
        problem_url=reverse("kb:problem", args=[model_slug, problem_slug]),
        diagnose_url=reverse("diagnosis:wizard", args=[model_slug, problem_slug]),
        generations=tuple(generations.values()),
        faults=fault_infos,
        symptoms={info.slug: info for _, info, _ in ordered_symptoms},
        procedures=cards,
        emergency=emergency,
    )
    engine_symptoms = [
        engine.Symptom(info.slug, EFFORT_COST.get(info.effort, 1.0), p_otherwise)
        for _, info, p_otherwise in ordered_symptoms
    ]
    for code in generations:
        engine_faults = [
            engine.Fault(
                fault["slug"],
                weights.get((code, fault["group_id"]), MISSING_RATE_WEIGHT) * fault["prior_factor"],
            )
            for fault in faults.values()
        ]
        compiled.knowledge_bases[code] = engine.KnowledgeBase(
            engine_faults, engine_symptoms, likelihoods
        )
    return compiled


def _with_steps(card: ProcedureCard, steps: dict[int, StepInfo]) -> ProcedureCard:
    return replace(card, steps=tuple(steps[number] for number in sorted(steps)))


# Compiled problems are also kept in this process, so a warm request neither queries the
# database nor unpickles from the shared cache; the content version in the key retires them.
_local: dict[tuple[str, str, str], CompiledProblem | None] = {}
_LOCAL_LIMIT = 256


def compiled_problem(model_slug: str, problem_slug: str) -> CompiledProblem | None:
    version = content_version()
    local_key = (version, model_slug, problem_slug)
    if local_key in _local:
        return _local[local_key]
    cache_key = f"diagnosis:compiled:{release_id()}:{version}:{model_slug}:{problem_slug}"
    compiled = cache.get(cache_key)
    if compiled is None:
        compiled = build(model_slug, problem_slug)
        if compiled is not None:
            cache.set(cache_key, compiled, timeout=COMPILED_TIMEOUT)
    if len(_local) >= _LOCAL_LIMIT or any(key[0] != version for key in _local):
        _local.clear()
    _local[local_key] = compiled
    return compiled


def catalog() -> dict[str, list[str]]:
    """Every vehicle model slug with its problem slugs: the valid values named in errors."""
    key = f"diagnosis:catalog:{release_id()}:{content_version()}"
    result = cache.get(key)
    if result is None:
        result = {}
        for model_slug, problem_slug in VehicleModel.objects.values_list(
            "slug", "problems__slug"
        ).order_by("slug", "problems__order", "problems__slug"):
            problems = result.setdefault(model_slug, [])
            if problem_slug:
                problems.append(problem_slug)
        cache.set(key, result, timeout=COMPILED_TIMEOUT)
    return result
