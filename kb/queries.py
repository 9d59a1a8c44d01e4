"""What each public page reads, in a small constant number of queries.

The views stay thin: each calls one function here and renders its result. Every function
either returns a plain dict for the template or raises Http404. Related objects are joined
(select_related) or prefetched, and URLs are built from objects whose related rows are
already loaded, so a page costs the same few queries whatever the size of the content.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy, ngettext

from .models import (
    Fault,
    FaultGroup,
    FaultRate,
    Generation,
    Likelihood,
    Make,
    Problem,
    Procedure,
    RateLevel,
    Step,
    VehicleModel,
)
from .paging import page_of, page_query

# A symptom "points to" a fault when a yes is at least this much likelier with the fault.
POINTS_TO_RATIO = 1.5

# Section headings for lists of procedures, by kind.
KIND_HEADINGS = {
    Procedure.Kind.QUICK_CHECK: gettext_lazy("Quick checks"),
    Procedure.Kind.EMERGENCY: gettext_lazy("Emergency access"),
    Procedure.Kind.REPAIR: gettext_lazy("Repairs"),
    Procedure.Kind.MAINTENANCE: gettext_lazy("Maintenance"),
}
OTHER_PROCEDURES = gettext_lazy("Other procedures")


# ---------------------------------------------------------------------------------------------
# The fault-rate table


@dataclass(frozen=True)
class RateColumn:
    """One column of the rate table: one generation, or several adjacent ones that agree."""

    generations: tuple[Generation, ...]

    @property
    def label(self) -> str:
        names = [generation.name for generation in self.generations]
        first = names[0]
        if all(name == first or name.startswith(first + " ") for name in names[1:]):
            return first
        return " / ".join(names)

    @property
    def years(self) -> str:
        first, last = self.generations[0], self.generations[-1]
        return f"{first.year_from}–{last.year_to or ''}"

    @property
    def heading(self) -> str:
        return f"{self.label} ({self.years})"

    @property
    def codes(self) -> list[str]:
        return [generation.code for generation in self.generations]


@dataclass
class RateRow:
    group: FaultGroup
    cells: list[RateLevel | None]
    faults: list[Fault] = field(default_factory=list)


@dataclass
class RateTable:
    columns: list[RateColumn]
    rows: list[RateRow]

    def __bool__(self) -> bool:
        return bool(self.rows and self.columns)


def rate_table(
    generations: list[Generation],
    groups: list[FaultGroup],
    rates: list[FaultRate],
    faults_by_group: dict[int, list[Fault]] | None = None,
) -> RateTable:
    """The matrix groups × generations; adjacent generations with identical levels merge.

    J11 and J11 facelift carry the same levels in every row of the shipped content, so they
    show as one column "J11 (2014–2021)", as in the seed; once staff give the facelift a level
    of its own, the column splits by itself.
    """
    level = {(rate.group_id, rate.generation_id): rate.level for rate in rates}
    runs: list[tuple[tuple, list[Generation]]] = []
    for generation in generations:
        signature = tuple(
            getattr(level.get((group.pk, generation.pk)), "pk", None) for group in groups
        )
        if runs and runs[-1][0] == signature:
            runs[-1][1].append(generation)
        else:
            runs.append((signature, [generation]))
    columns = [RateColumn(tuple(members)) for _, members in runs]
    rows = [
        RateRow(
            group=group,
            cells=[level.get((group.pk, column.generations[0].pk)) for column in columns],
            faults=(faults_by_group or {}).get(group.pk, []),
        )
        for group in groups
    ]
    return RateTable(columns, rows)


# ---------------------------------------------------------------------------------------------
# Procedures


def _steps_with_warnings():
    return Prefetch("steps", queryset=Step.objects.select_related("warning"))


def _procedures():
    return Procedure.objects.select_related("vehicle_model")


def _warnings_of(procedures) -> list[dict]:
    """Each warning once, with the steps (procedure, step) where it applies."""
    found: OrderedDict[int, dict] = OrderedDict()
    for procedure in procedures:
        for step in procedure.steps.all():
            if step.warning_id is None:
                continue
            entry = found.setdefault(step.warning_id, {"warning": step.warning, "where": []})
            entry["where"].append((procedure, step))
    return list(found.values())


def _shows_estimates(procedures, with_steps=()) -> bool:
    """Whether a list of procedures shows an editor's estimate: a procedure, its time or its
    prices, or a step of those in `with_steps` (the ones the page lists with their steps).
    The page then explains the "estimate" label once."""
    shown_with_steps = {procedure.pk for procedure in with_steps}
    return any(
        procedure.has_estimates(procedure.steps.all() if procedure.pk in shown_with_steps else None)
        for procedure in procedures
    )


# ---------------------------------------------------------------------------------------------
# Pages


# The home page shows each problem as a card with its start buttons while the site holds at
# most this many; past it, a picker of the models (grouped by make, paged) keeps it small.
HOME_CARDS_UP_TO = 6
HOME_MODELS_PER_PAGE = 100
MODEL_PROBLEMS_PER_PAGE = 20


def home(page: int = 1) -> dict:
    """A few problems: every model with its problem cards. More: the models with a problem,
    grouped by make, a page at a time, and an index of the makes. 4 queries either way."""
    counts = dict(
        Problem.objects.published()
        .order_by()
        .values("vehicle_model")
        .annotate(n=Count("pk"))
        .values_list("vehicle_model", "n")
    )
    if sum(counts.values()) > HOME_CARDS_UP_TO:
        return _model_picker(counts, page)
    if page != 1:
        raise Http404("No such page")
    models = list(
        VehicleModel.objects.select_related("make").prefetch_related(
            Prefetch(
                "problems",
                queryset=Problem.objects.published().select_related(
                    "emergency_procedure__vehicle_model"
                ),
            ),
            "generations",
        )
    )
    return {"vehicle_models": models, "picker": False}


def _model_picker(counts: dict[int, int], page: int) -> dict:
    """The models that have a published problem (`counts`, by model id), in the list's order
    (by make, then name, in the active language): one page of them, and each make with the
    page its first model is on."""
    order = list(VehicleModel.objects.filter(pk__in=counts).values_list("pk", "make_id"))
    page_obj = page_of(order, page, HOME_MODELS_PER_PAGE)
    found = VehicleModel.objects.select_related("make").in_bulk(pk for pk, _ in page_obj)
    models = [found[pk] for pk, _ in page_obj]
    # one plural form per distinct count, not one gettext per model
    labels = {
        n: ngettext("%(counter)s problem", "%(counter)s problems", n) % {"counter": n}
        for n in set(counts.values())
    }
    for model in models:
        model.problems_label = labels[counts[model.pk]]
    first_page: dict[int, int] = {}
    for position, (_, make_id) in enumerate(order):
        first_page.setdefault(make_id, position // HOME_MODELS_PER_PAGE + 1)
    makes = Make.objects.in_bulk(first_page)
    return {
        "picker": True,
        "models": models,
        "page_obj": page_obj,
        "page_query": page_query(page),
        "makes": [{"make": makes[pk], "page": number} for pk, number in first_page.items()],
    }


def vehicle(model_slug: str, page: int = 1) -> dict:
    """A model and a page of its problems; on the first page also its generations,
    procedures, and whether it has an FAQ: 6 queries (3 on a later page)."""
    model = get_object_or_404(VehicleModel.objects.select_related("make"), slug=model_slug)
    page_obj = page_of(model.problems.published(), page, MODEL_PROBLEMS_PER_PAGE)
    problems = list(page_obj.object_list)
    for problem in problems:
        problem.vehicle_model = model
    generations = list(model.generations.all())
    for generation in generations:
        generation.vehicle_model = model
    context = {
        "model": model,
        "generations": generations,
        "problems": problems,
        "page_obj": page_obj,
        "page_query": page_query(page),
    }
    if page > 1:
        return context  # a further page lists problems only
    procedures = list(model.procedures.all())
    for procedure in procedures:
        procedure.vehicle_model = model
    by_kind = OrderedDict((heading, []) for heading in [*KIND_HEADINGS.values(), OTHER_PROCEDURES])
    for procedure in procedures:
        by_kind[KIND_HEADINGS.get(procedure.kind, OTHER_PROCEDURES)].append(procedure)
    context["procedures_by_kind"] = [(kind, items) for kind, items in by_kind.items() if items]
    context["has_faq"] = model.faq_entries.exists()
    return context


def problem(model_slug: str, problem_slug: str, drafts: bool = False) -> dict:
    """Everything the problem page shows: 8 queries whatever the size of the content.

    A draft problem is found only with `drafts` (for staff)."""
    problems = Problem.objects if drafts else Problem.objects.published()
    problem = get_object_or_404(
        problems.select_related("vehicle_model__make", "emergency_procedure"),
        vehicle_model__slug=model_slug,
        slug=problem_slug,
    )
    model = problem.vehicle_model
    faults = list(problem.faults.select_related("group"))
    for fault in faults:
        fault.problem = problem

    links = list(
        Fault.procedures.through.objects.filter(fault__problem=problem).values_list(
            "fault_id", "procedure_id"
        )
    )
    procedure_ids = {procedure_id for _, procedure_id in links}
    if problem.emergency_procedure_id:
        procedure_ids.add(problem.emergency_procedure_id)
    procedures = list(
        Procedure.objects.filter(pk__in=procedure_ids).prefetch_related(_steps_with_warnings())
    )
    by_id = {procedure.pk: procedure for procedure in procedures}
    for procedure in procedures:
        procedure.vehicle_model = model
        procedure.fixes = []
    fault_by_id = {fault.pk: fault for fault in faults}
    for fault_id, procedure_id in links:
        by_id[procedure_id].fixes.append(fault_by_id[fault_id])
    emergency = by_id.get(problem.emergency_procedure_id)
    # Procedures come ordered by Procedure.order: from the simplest to the most complex.
    kinds = {kind: [p for p in procedures if p.kind == kind] for kind in Procedure.Kind.values}

    categories = []
    for value, label in Fault.Category.choices:
        members = [fault for fault in faults if fault.category == value]
        if members:
            categories.append({"value": value, "label": label, "faults": members})

    table = _problem_rate_table(model, faults)
    faq = list(problem.faq_entries.all())
    return {
        "model": model,
        "problem": problem,
        "faults": faults,
        "categories": categories,
        "rate_table": table,
        "emergency": emergency,
        "other_emergency": [p for p in kinds["emergency"] if p is not emergency],
        "quick_checks": kinds["quick-check"],
        "repairs": kinds["repair"],
        "maintenance": kinds["maintenance"],
        "warnings": _warnings_of(procedures),
        "faq": faq,
        "has_estimates": _shows_estimates(procedures, with_steps=kinds["maintenance"]),
    }


def _problem_rate_table(model: VehicleModel, faults: list[Fault]) -> RateTable:
    """Rows: the rate-table groups of the problem's faults; columns: the generations. 2 queries."""
    groups: OrderedDict[int, FaultGroup] = OrderedDict()
    faults_by_group: dict[int, list[Fault]] = {}
    for fault in sorted(faults, key=lambda f: (f.group.order, f.group.name)):
        if fault.group.in_rate_table:
            groups.setdefault(fault.group_id, fault.group)
            faults_by_group.setdefault(fault.group_id, []).append(fault)
    generations = list(model.generations.all())
    if not groups:
        return RateTable(columns=[], rows=[])
    rates = list(
        FaultRate.objects.filter(
            generation__vehicle_model=model, group_id__in=list(groups)
        ).select_related("level")
    )
    return rate_table(generations, list(groups.values()), rates, faults_by_group)


def fault(model_slug: str, problem_slug: str, fault_slug: str, drafts: bool = False) -> dict:
    """A fault, its group's rate per generation, its procedures, what points to it: 6 queries.

    A fault of a draft problem is found only with `drafts` (for staff)."""
    faults = Fault.objects if drafts else Fault.objects.filter(problem__is_published=True)
    fault = get_object_or_404(
        faults.select_related("problem__vehicle_model__make", "group"),
        problem__vehicle_model__slug=model_slug,
        problem__slug=problem_slug,
        slug=fault_slug,
    )
    problem = fault.problem
    model = problem.vehicle_model
    procedures = list(fault.procedures.all())
    for procedure in procedures:
        procedure.vehicle_model = model
    generations = list(model.generations.all())
    rates = list(
        FaultRate.objects.filter(
            generation__vehicle_model=model, group_id=fault.group_id
        ).select_related("level")
    )
    table = rate_table(generations, [fault.group], rates)
    pointers = [
        likelihood
        for likelihood in Likelihood.objects.filter(fault=fault)
        .select_related("symptom")
        .order_by("-p_yes", "symptom__order")
        if likelihood.p_yes >= 0.5
        and likelihood.p_yes >= POINTS_TO_RATIO * likelihood.symptom.p_yes_otherwise
    ]
    siblings = list(problem.faults.exclude(pk=fault.pk))
    for sibling in siblings:
        sibling.problem = problem
    return {
        "model": model,
        "problem": problem,
        "fault": fault,
        "rate_table": table,
        "procedures": procedures,
        "has_estimates": _shows_estimates(procedures),
        "pointers": pointers,
        "siblings": siblings,
    }


def procedure(model_slug: str, slug: str) -> dict:
    """A repair card: steps with their warnings, the faults it fixes, its FAQ: 4 queries."""
    procedure = get_object_or_404(
        Procedure.objects.select_related("vehicle_model__make"),
        vehicle_model__slug=model_slug,
        slug=slug,
    )
    model = procedure.vehicle_model
    steps = list(procedure.steps.select_related("warning"))
    faults = list(
        procedure.faults.filter(problem__is_published=True)
        .select_related("problem__vehicle_model")
        .order_by("problem__order", "order", "name")
    )
    faq = list(procedure.faq_entries.all())
    for entry in faq:
        entry.vehicle_model = model
    emergency_for = [f.problem for f in faults if f.problem.emergency_procedure_id == procedure.pk]
    return {
        "model": model,
        "procedure": procedure,
        "steps": steps,
        "costs": procedure.costs,
        "has_estimates": procedure.has_estimates(steps),
        "faults": faults,
        "faq": faq,
        "is_emergency": procedure.kind == Procedure.Kind.EMERGENCY or bool(emergency_for),
    }


def faq(model_slug: str) -> dict:
    """The model's FAQ with each entry's problem and procedures: 3 queries."""
    model = get_object_or_404(VehicleModel.objects.select_related("make"), slug=model_slug)
    entries = list(
        model.faq_entries.exclude(problem__is_published=False)
        .select_related("problem")
        .prefetch_related(Prefetch("procedures", queryset=_procedures()))
    )
    if not entries:
        raise Http404("This model has no FAQ yet.")
    for entry in entries:
        entry.vehicle_model = model
        if entry.problem is not None:
            entry.problem.vehicle_model = model
    return {"model": model, "entries": entries}


def generation(model_slug: str, code: str) -> dict:
    """A generation: its years, and the most common faults from the rate table. 5 queries."""
    generation = get_object_or_404(
        Generation.objects.select_related("vehicle_model__make"),
        vehicle_model__slug=model_slug,
        code=code,
    )
    model = generation.vehicle_model
    siblings = list(model.generations.all())
    for sibling in siblings:
        sibling.vehicle_model = model
    rates = list(
        FaultRate.objects.filter(generation=generation, group__in_rate_table=True)
        .select_related("group", "level")
        .order_by("-level__order", "group__order", "group__name")
    )
    faults = Fault.objects.filter(
        problem__vehicle_model=model,
        problem__is_published=True,
        group_id__in=[rate.group_id for rate in rates],
    ).select_related("problem")
    faults_by_group: dict[int, list[Fault]] = {}
    for item in faults:
        item.problem.vehicle_model = model
        faults_by_group.setdefault(item.group_id, []).append(item)
    common = [
        {"group": rate.group, "level": rate.level, "faults": faults_by_group.get(rate.group_id, [])}
        for rate in rates
    ]
    problems = list(model.problems.published())
    for item in problems:
        item.vehicle_model = model
    return {
        "model": model,
        "generation": generation,
        "siblings": siblings,
        "common": common,
        "several_problems": len({f.problem_id for item in common for f in item["faults"]}) > 1,
        "problems": problems,
    }


def problems_for_empty_state() -> list[Problem]:
    """The problems to suggest when a search finds nothing: 1 query."""
    return list(Problem.objects.published().select_related("vehicle_model__make")[:20])
