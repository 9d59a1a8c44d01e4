"""Content checks that need only the knowledge base itself (see `manage.py kb_check`)."""

from collections.abc import Iterator

from django.db.models import Count, F, Q

from .models import (
    Fault,
    FaultGroup,
    FaultRate,
    Generation,
    Likelihood,
    Problem,
    RateLevel,
    Symptom,
)


def label(obj) -> str:
    """A path that names the object the way URLs and fixtures do."""
    match obj:
        case Fault() | Symptom():
            problem = obj.problem
            return f"{obj._meta.model_name} {problem.vehicle_model.slug}/{problem.slug}/{obj.slug}"
        case Problem():
            return f"problem {obj.vehicle_model.slug}/{obj.slug}"
        case Generation():
            return f"generation {obj.vehicle_model.slug}/{obj.code}"
        case Likelihood():
            return f"likelihood {label(obj.fault).split(' ', 1)[1]} × {obj.symptom.slug}"
    return f"{obj._meta.model_name} {obj}"


def content_problems() -> Iterator[str]:
    yield from _out_of_range()
    yield from _faults_without_procedure()
    yield from _symptoms_that_separate_nothing()
    yield from _generations_without_rate()
    yield from _likelihoods_across_problems()


def _out_of_range() -> Iterator[str]:
    # The database constraints forbid these; a copy loaded around them must still be caught.
    outside = Q(p_yes__lt=0) | Q(p_yes__gt=1)
    for likelihood in Likelihood.objects.filter(outside).select_related(
        "fault__problem__vehicle_model", "symptom"
    ):
        yield f"{label(likelihood)}: probability {likelihood.p_yes} is outside 0–1"
    for symptom in Symptom.objects.filter(
        Q(p_yes_otherwise__lt=0) | Q(p_yes_otherwise__gt=1)
    ).select_related("problem__vehicle_model"):
        yield f"{label(symptom)}: P(yes) for other causes {symptom.p_yes_otherwise} is outside 0–1"
    for level in RateLevel.objects.filter(weight__lte=0):
        yield f"rate level {level.slug}: weight {level.weight} must be greater than 0"


def _faults_without_procedure() -> Iterator[str]:
    for fault in (
        Fault.objects.annotate(n=Count("procedures"))
        .filter(n=0)
        .select_related("problem__vehicle_model")
    ):
        yield f"{label(fault)}: has no procedure"


def _symptoms_that_separate_nothing() -> Iterator[str]:
    symptoms = Symptom.objects.select_related("problem__vehicle_model").prefetch_related(
        "likelihoods"
    )
    fault_counts = dict(Problem.objects.annotate(n=Count("faults")).values_list("id", "n"))
    for symptom in symptoms:
        values = {round(lk.p_yes, 6) for lk in symptom.likelihoods.all()}
        if len(symptom.likelihoods.all()) < fault_counts.get(symptom.problem_id, 0):
            values.add(round(symptom.p_yes_otherwise, 6))  # the faults with no explicit value
        if len(values) < 2:
            yield f"{label(symptom)}: separates no faults (every fault answers it alike)"


def _generations_without_rate() -> Iterator[str]:
    rated = set(FaultRate.objects.values_list("generation_id", "group_id"))
    groups_by_model: dict[int, set[int]] = {}
    for model_id, group_id in Fault.objects.values_list(
        "problem__vehicle_model_id", "group_id"
    ).distinct():
        groups_by_model.setdefault(model_id, set()).add(group_id)
    group_slugs = dict(FaultGroup.objects.values_list("id", "slug"))
    for generation in Generation.objects.select_related("vehicle_model"):
        for group_id in sorted(groups_by_model.get(generation.vehicle_model_id, ())):
            if (generation.id, group_id) not in rated:
                yield f"{label(generation)}: no rate for fault group {group_slugs[group_id]}"


def _likelihoods_across_problems() -> Iterator[str]:
    for likelihood in Likelihood.objects.exclude(
        fault__problem_id=F("symptom__problem_id")
    ).select_related("fault__problem__vehicle_model", "symptom"):
        yield f"{label(likelihood)}: the symptom belongs to another problem"
