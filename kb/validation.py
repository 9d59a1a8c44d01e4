"""Content checks: what in the knowledge base would mislead the wizard or an owner.

Each check is a function decorated with `@check` that yields `Finding`s: the object to fix, the
problem whose diagnosis it concerns, and a message in plain words. `manage.py kb_check` prints
each as one line naming the object by its slugs; the admin's "Content check" page and the
message after each save name and link the object. A new rule is one short function:

    @check
    def _faults_without_summary(problem=None):
        for fault in faults_of(problem).filter(summary=""):
            yield Finding(fault, _("has no summary: owners see an empty line"), fault.problem)

Messages go through gettext with named placeholders, so staff read them in their language:
checks run when asked (a page, a save, the command), in the language active then.

Checks that need the engine (can a fault be diagnosed at all?) live in diagnosis/validation.py
and register the same way. Every check takes `problem` (None for all) so the message after a
save costs only that problem's queries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from django.db import models
from django.db.models import Count, F, Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .languages import LANGUAGES
from .models import (
    FaqEntry,
    Fault,
    FaultGroup,
    FaultRate,
    Generation,
    Likelihood,
    Problem,
    Procedure,
    QuestionGroup,
    RateLevel,
    SafetyWarning,
    Step,
    Symptom,
    VehicleModel,
)

# A probability this close to 0 or 1 makes one answer rule a cause in or out for good, though
# owners misremember and mishear: outside these bounds the content check objects.
P_MIN, P_MAX = 0.02, 0.98


@dataclass(frozen=True)
class Finding:
    obj: models.Model  # what to open and fix
    message: str  # in plain words, without the object's own name
    problem: Problem | None = None  # whose diagnosis it affects; None for shared content
    # The wizard cannot work while it stands (no fault, a cause no answer reaches, ...): the
    # problem cannot be published (readiness()).
    blocking: bool = False

    @property
    def name(self) -> str:
        """The object as an editor knows it: “fault “Lock frozen””."""
        return _("%(kind)s “%(name)s”") % {"kind": self.obj._meta.verbose_name, "name": self.obj}

    @property
    def admin_url(self) -> str:
        meta = self.obj._meta
        try:
            return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[self.obj.pk])
        except NoReverseMatch:
            return ""

    @property
    def problem_id(self) -> int | None:
        return self.problem.pk if self.problem is not None else None

    def line(self) -> str:
        """One line for `manage.py kb_check`: the object by its slugs, then the message."""
        return f"{label(self.obj)}: {self.message}"

    def __str__(self) -> str:
        return f"{self.name}: {self.message}"


Check = Callable[..., Iterator[Finding]]
CHECKS: list[Check] = []


def check(function: Check) -> Check:
    CHECKS.append(function)
    return function


def findings(problem: Problem | None = None) -> list[Finding]:
    """Every finding of every registered check, or one problem's: kb's own below, and those
    the apps above register when they load (diagnosis's engine checks, reports').

    For one problem, shared content (rate levels, generations) counts when the problem uses it.
    """
    found = [finding for run in CHECKS for finding in run(problem)]
    if problem is not None:
        found = [f for f in found if f.problem_id in (None, problem.pk)]
    return found


def readiness(problem: Problem) -> list[str]:
    """Why the problem is not ready for owners, in words (empty when it is): its blocking
    findings. The admin refuses to publish it, and its draft wizard shows them to staff."""
    reasons = []
    for finding in findings(problem):
        if finding.blocking:
            own = isinstance(finding.obj, Problem) and finding.obj.pk == problem.pk
            reasons.append(finding.message if own else str(finding))
    return reasons


def content_problems() -> Iterator[str]:
    """The findings as kb_check's lines (kept for scripts that call it)."""
    for finding in findings():
        yield finding.line()


# What label() calls each kind of object, before its slugs (a question group is not named by
# its verbose name, "question with exclusive answers", which is too long for a line).
KINDS = {
    Fault: gettext_lazy("fault"),
    Symptom: gettext_lazy("symptom"),
    Problem: gettext_lazy("problem"),
    Generation: gettext_lazy("generation"),
    VehicleModel: gettext_lazy("vehicle model"),
    QuestionGroup: gettext_lazy("question group"),
    Likelihood: gettext_lazy("likelihood"),
    FaultGroup: gettext_lazy("fault type"),
    RateLevel: gettext_lazy("rate level"),
    Procedure: gettext_lazy("procedure"),
    Step: gettext_lazy("step"),
    FaqEntry: gettext_lazy("FAQ entry"),
    SafetyWarning: gettext_lazy("warning"),
}


def label(obj) -> str:
    """The object's kind, then a path that names it the way URLs and fixtures do."""
    kind = KINDS.get(type(obj))
    if kind is None:
        return f"{obj._meta.model_name} {obj}"
    return f"{kind} {_path(obj)}"


def _path(obj) -> str:
    match obj:
        case Fault() | Symptom() | QuestionGroup():
            problem = obj.problem
            return f"{problem.vehicle_model.slug}/{problem.slug}/{obj.slug}"
        case Problem():
            return f"{obj.vehicle_model.slug}/{obj.slug}"
        case Generation():
            return f"{obj.vehicle_model.slug}/{obj.code}"
        case Likelihood():
            return f"{_path(obj.fault)} × {obj.symptom.slug}"
        case Procedure() | FaqEntry():
            return f"{obj.vehicle_model.slug}/{obj.slug}"
        case Step():
            return f"{_path(obj.procedure)}#{obj.number}"
    return obj.slug  # a vehicle model, fault type, rate level or warning


def percent(value: float) -> str:
    return f"{value * 100:.4g} %"


# --- querysets limited to one problem -----------------------------------------------------------


def faults_of(problem: Problem | None):
    faults = Fault.objects.select_related("problem__vehicle_model", "group")
    return faults if problem is None else faults.filter(problem=problem)


def symptoms_of(problem: Problem | None):
    symptoms = Symptom.objects.select_related("problem__vehicle_model")
    return symptoms if problem is None else symptoms.filter(problem=problem)


def likelihoods_of(problem: Problem | None):
    likelihoods = Likelihood.objects.select_related(
        "fault__problem__vehicle_model", "symptom__problem__vehicle_model"
    )
    return likelihoods if problem is None else likelihoods.filter(fault__problem=problem)


# --- the checks ---------------------------------------------------------------------------------


@check
def _problems_without_faults(problem=None) -> Iterator[Finding]:
    problems = Problem.objects.select_related("vehicle_model").filter(faults__isnull=True)
    if problem is not None:
        problems = problems.filter(pk=problem.pk)
    for item in problems:
        yield Finding(item, _("no fault yet"), item, blocking=True)


@check
def _probabilities_too_sure(problem=None) -> Iterator[Finding]:
    # The database forbids values outside 0–1; a copy loaded around it is caught here too.
    outside = Q(p_yes__lt=P_MIN) | Q(p_yes__gt=P_MAX)
    for likelihood in likelihoods_of(problem).filter(outside):
        yield Finding(
            likelihood,
            _(
                "probability %(value)s %(verdict)s (the question “%(question)s” when the cause "
                "is “%(cause)s”)"
            )
            % {
                "value": likelihood.p_yes,
                "verdict": _too_sure(likelihood.p_yes),
                "question": likelihood.symptom.question,
                "cause": likelihood.fault,
            },
            likelihood.fault.problem,
        )
    outside = Q(p_yes_otherwise__lt=P_MIN) | Q(p_yes_otherwise__gt=P_MAX)
    for symptom in symptoms_of(problem).filter(outside):
        yield Finding(
            symptom,
            _("P(yes) for any other cause %(value)s %(verdict)s")
            % {"value": symptom.p_yes_otherwise, "verdict": _too_sure(symptom.p_yes_otherwise)},
            symptom.problem,
        )


def _too_sure(value: float) -> str:
    if not 0 <= value <= 1:
        return _("is outside 0–1")
    return _(
        "is too sure: one answer would rule a cause in or out for good, though owners "
        "misremember; use between %(low)s and %(high)s"
    ) % {"low": percent(P_MIN), "high": percent(P_MAX)}


@check
def _rate_levels_without_weight(problem=None) -> Iterator[Finding]:
    for level in RateLevel.objects.filter(weight__lte=0):
        yield Finding(
            level, _("weight %(weight)s must be greater than 0") % {"weight": level.weight}
        )


@check
def _faults_without_procedure(problem=None) -> Iterator[Finding]:
    for fault in faults_of(problem).annotate(n=Count("procedures")).filter(n=0):
        yield Finding(
            fault,
            _("has no procedure: owners would learn the cause but not the fix"),
            fault.problem,
        )


@check
def _symptoms_that_separate_nothing(problem=None) -> Iterator[Finding]:
    symptoms = symptoms_of(problem).prefetch_related("likelihoods")
    fault_counts = dict(Problem.objects.annotate(n=Count("faults")).values_list("id", "n"))
    for symptom in symptoms:
        values = {round(lk.p_yes, 6) for lk in symptom.likelihoods.all()}
        if len(symptom.likelihoods.all()) < fault_counts.get(symptom.problem_id, 0):
            values.add(round(symptom.p_yes_otherwise, 6))  # the faults with no explicit value
        if len(values) < 2:
            yield Finding(
                symptom,
                _(
                    "separates no faults (every fault answers it alike): the wizard learns "
                    "nothing from it"
                ),
                symptom.problem,
            )


@check
def _fault_types_without_rate(problem=None) -> Iterator[Finding]:
    rated = set(FaultRate.objects.values_list("generation_id", "group_id"))
    uses: dict[tuple[int, int], list[Problem]] = {}  # (model, type) -> problems using it
    faults = Fault.objects.select_related("problem__vehicle_model")
    if problem is not None:
        faults = faults.filter(problem=problem)
    for fault in faults:
        users = uses.setdefault((fault.problem.vehicle_model_id, fault.group_id), [])
        if fault.problem not in users:
            users.append(fault.problem)
    groups = FaultGroup.objects.in_bulk({group_id for _, group_id in uses})
    for generation in Generation.objects.select_related("vehicle_model"):
        for (model_id, group_id), problems in sorted(uses.items()):
            if model_id == generation.vehicle_model_id and (generation.id, group_id) not in rated:
                for user in problems:
                    yield Finding(
                        groups[group_id],
                        _(
                            "no rate for %(generation)s: its faults count as average there; "
                            "add the level in the fault type's rates"
                        )
                        % {"generation": f"{generation.vehicle_model} {generation.name}"},
                        user,
                    )


@check
def _faults_with_questions_of_another_problem(problem=None) -> Iterator[Finding]:
    crossing = likelihoods_of(problem).exclude(fault__problem_id=F("symptom__problem_id"))
    by_fault: dict[Fault, list[Likelihood]] = {}
    for likelihood in crossing:
        by_fault.setdefault(likelihood.fault, []).append(likelihood)
    for fault, likelihoods in by_fault.items():
        others = sorted({str(lk.symptom.problem) for lk in likelihoods})
        yield Finding(
            fault,
            ngettext(
                "is under “%(problem)s” but %(count)s of its likelihoods is for questions of "
                "another problem (%(others)s): the symptom belongs to another problem. Move the "
                "fault, or remove that likelihood",
                "is under “%(problem)s” but %(count)s of its likelihoods are for questions of "
                "another problem (%(others)s): the symptom belongs to another problem. Move the "
                "fault, or remove those likelihoods",
                len(likelihoods),
            )
            % {"problem": fault.problem, "count": len(likelihoods), "others": "; ".join(others)},
            fault.problem,
        )


@check
def _generation_gaps(problem=None) -> Iterator[Finding]:
    """Years a model was made that no generation covers: an owner of such a car is turned away."""
    models_ = VehicleModel.objects.all()
    if problem is not None:
        models_ = models_.filter(pk=problem.vehicle_model_id)
    for model in models_.prefetch_related("generations"):
        generations = list(model.generations.all())
        if not generations:
            continue
        covered = _years(generations)
        first, last = min(covered), max(covered)
        gaps = [year for year in range(first, last + 1) if year not in covered]
        if gaps:
            yield Finding(
                model,
                _(
                    "no generation covers %(years)s: an owner of such a car is told that no "
                    "generation fits"
                )
                % {"years": _year_ranges(gaps)},
            )
        deleted = sorted(_years(_deleted_generations(model)) - covered)
        if deleted:
            yield Finding(
                model,
                _(
                    "no generation covers %(years)s since a generation was deleted: an owner "
                    "of such a car is told that no generation fits (restore it from “Recently "
                    "deleted”)"
                )
                % {"years": _year_ranges(deleted)},
            )


def _years(generations) -> set[int]:
    this_year = date.today().year
    years: set[int] = set()
    for generation in generations:
        end = generation.year_to or max(this_year, generation.year_from)
        years.update(range(generation.year_from, end + 1))
    return years


def _deleted_generations(model: VehicleModel) -> list:
    """Generations of this model deleted and not restored (their last history rows)."""
    current = set(model.generations.values_list("code", flat=True))
    return list(
        Generation.history.filter(vehicle_model_id=model.pk, history_type="-").exclude(
            code__in=current
        )
    )


def _year_ranges(years: list[int]) -> str:
    runs: list[list[int]] = []
    for year in years:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(f"{r[0]}" if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)


# Shares are fractions, so a sum within this distance of 1 is 1 (0.33 + 0.33 + 0.34 is fine).
SHARE_TOLERANCE = 0.005


@check
def _type_shares_not_summing_to_one(problem=None) -> Iterator[Finding]:
    """The table rates a fault type; its faults' shares in a problem must divide all of it."""
    by_type: dict[tuple[int, int], list[Fault]] = {}
    for fault in faults_of(problem):
        by_type.setdefault((fault.problem_id, fault.group_id), []).append(fault)
    for faults in by_type.values():
        total = sum(fault.share for fault in faults)
        if abs(total - 1.0) > SHARE_TOLERANCE:
            names = ", ".join(f"{fault.slug} {fault.share:g}" for fault in faults)
            # Dividing each by the total keeps what staff meant by them, one against another.
            fixed = ", ".join(f"{fault.slug} {fault.share / total:.3g}" for fault in faults)
            yield Finding(
                faults[0].problem,
                _(
                    "the shares of fault type %(type)s add up to %(total)s, not 1 (%(shares)s). "
                    "To keep their proportions, set them to: %(fixed)s"
                )
                % {
                    "type": faults[0].group.slug,
                    "total": f"{total:g}",
                    "shares": names,
                    "fixed": fixed,
                },
                faults[0].problem,
                blocking=True,
            )


@check
def _groups_with_too_few_members(problem=None) -> Iterator[Finding]:
    groups = QuestionGroup.objects.select_related("problem__vehicle_model")
    if problem is not None:
        groups = groups.filter(problem=problem)
    for group in groups.annotate(n=Count("members")).filter(n__lt=2):
        yield Finding(
            group,
            _("has %(count)s member(s); a question with exclusive answers needs 2")
            % {"count": group.n},
            group.problem,
            blocking=True,
        )


@check
def _group_options_over_one(problem=None) -> Iterator[Finding]:
    """A fault's P(yes) over a group's members are the chances of exclusive options: at most 1
    (the engine scales a larger sum down, which hides what the editor meant)."""
    sums: dict[tuple[int, int], float] = {}
    rows = likelihoods_of(problem).filter(symptom__group__isnull=False)
    for fault_id, group_id, p_yes in rows.values_list("fault_id", "symptom__group_id", "p_yes"):
        sums[fault_id, group_id] = sums.get((fault_id, group_id), 0.0) + p_yes
    over = {key: total for key, total in sums.items() if total > 1.0 + SHARE_TOLERANCE}
    if not over:
        return
    faults = faults_of(None).in_bulk({fault for fault, _ in over})
    groups = QuestionGroup.objects.select_related("problem__vehicle_model").in_bulk(
        {group for _, group in over}
    )
    for (fault_id, group_id), total in sorted(over.items()):
        fault = faults[fault_id]
        yield Finding(
            fault,
            _(
                "its answers to %(group)s exclude each other but their probabilities add up "
                "to %(total)s, over 1"
            )
            % {"group": label(groups[group_id]), "total": f"{total:g}"},
            fault.problem,
        )


# (the empty language, the language it is written in) -> the finding. One sentence per pair,
# so that each reads naturally once translated (a language's name changes with its place in a
# Russian sentence).
TEXT_MISSING = {
    ("ru", "en"): gettext_lazy(
        "its Russian “%(field)s” (%(column)s) is empty, though written in English: its Russian "
        "page shows it untranslated"
    ),
    ("en", "ru"): gettext_lazy(
        "its English “%(field)s” (%(column)s) is empty, though written in Russian: its English "
        "page shows it untranslated"
    ),
}
TEXT_MISSING_IN_ANOTHER_PAIR = gettext_lazy(
    "its “%(field)s” (%(column)s) is empty, though written in %(source)s: its page in "
    "%(language)s shows it untranslated"
)


def owner_texts(problem: Problem | None):
    """(model, its translated fields, its objects to check, the problem of an object) for each
    model whose texts owners read; with `problem`, only that problem's own objects (content
    shared between problems is checked, and reported, without a problem)."""
    from modeltranslation.translator import translator

    owned = {
        Problem: "pk",
        Fault: "problem",
        Symptom: "problem",
        QuestionGroup: "problem",
        FaqEntry: "problem",
    }
    for model in translator.get_registered_models(abstract=False):
        fields = translator.get_options_for_model(model).fields
        objects = model._default_manager.all()
        lookup = owned.get(model)
        if lookup is None:
            yield model, fields, objects, lambda obj: None
            continue
        if problem is not None:
            objects = objects.filter(**{lookup: problem.pk})
        if model is Problem:
            yield model, fields, objects, lambda obj: obj
        else:
            yield model, fields, objects.select_related("problem"), lambda obj: obj.problem


def _written(name: str, language: str) -> Q:
    column = f"{name}_{language}"
    return Q(**{f"{column}__isnull": False}) & ~Q(**{column: ""})


@check
def _texts_missing_a_language(problem=None) -> Iterator[Finding]:
    """A text owners read, written in one language and empty in another: the other language's
    page shows it untranslated. One query per model, whatever the number of fields."""
    for model, fields, objects, problem_of in owner_texts(problem):
        columns = [(name, language) for name in fields for language in LANGUAGES]
        gaps = Q()
        for name in fields:
            for language in LANGUAGES:
                for other in LANGUAGES:
                    if other != language:
                        gaps |= ~_written(name, language) & _written(name, other)
        for obj in objects.filter(gaps).order_by("pk"):
            written = {key for key in columns if getattr(obj, f"{key[0]}_{key[1]}")}
            for name, language in columns:
                if (name, language) in written:
                    continue
                sources = [other for other in LANGUAGES if (name, other) in written]
                if not sources:
                    continue
                field = model._meta.get_field(name)
                message = TEXT_MISSING.get((language, sources[0]), TEXT_MISSING_IN_ANOTHER_PAIR)
                yield Finding(
                    obj,
                    str(message)
                    % {
                        "field": field.verbose_name,
                        "column": f"{name}_{language}",
                        "language": language,
                        "source": sources[0],
                    },
                    problem_of(obj),
                )
