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
    QuestionGroup,
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
        case QuestionGroup():
            problem = obj.problem
            return f"question group {problem.vehicle_model.slug}/{problem.slug}/{obj.slug}"
        case Likelihood():
            return f"likelihood {label(obj.fault).split(' ', 1)[1]} × {obj.symptom.slug}"
    return f"{obj._meta.model_name} {obj}"


def content_problems() -> Iterator[str]:
    yield from _out_of_range()
    yield from _faults_without_procedure()
    yield from _symptoms_that_separate_nothing()
    yield from _generations_without_rate()
    yield from _likelihoods_across_problems()
    yield from _type_shares_not_summing_to_one()
    yield from _groups_with_too_few_members()
    yield from _group_options_over_one()


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


# Shares are fractions, so a sum within this distance of 1 is 1 (0.33 + 0.33 + 0.34 is fine).
SHARE_TOLERANCE = 0.005


def _type_shares_not_summing_to_one() -> Iterator[str]:
    """The table rates a fault type; its faults' shares in a problem must divide all of it."""
    totals: dict[tuple[int, int], list[Fault]] = {}
    for fault in Fault.objects.select_related("problem__vehicle_model", "group"):
        totals.setdefault((fault.problem_id, fault.group_id), []).append(fault)
    for faults in totals.values():
        total = sum(fault.share for fault in faults)
        if abs(total - 1.0) > SHARE_TOLERANCE:
            problem = faults[0].problem
            names = ", ".join(f"{fault.slug} {fault.share:g}" for fault in faults)
            yield (
                f"{label(problem)}: the shares of fault type {faults[0].group.slug} add up to "
                f"{total:g}, not 1 ({names})"
            )


def _groups_with_too_few_members() -> Iterator[str]:
    for group in (
        QuestionGroup.objects.annotate(n=Count("members"))
        .filter(n__lt=2)
        .select_related("problem__vehicle_model")
    ):
        yield f"{label(group)}: has {group.n} member(s); a question with exclusive answers needs 2"


def _group_options_over_one() -> Iterator[str]:
    """A fault's P(yes) over a group's members are the chances of exclusive options: at most 1.

    (The engine scales a larger sum down, which hides what the editor meant.)"""
    sums: dict[tuple[int, int], float] = {}
    for fault_id, group_id, p_yes in Likelihood.objects.filter(
        symptom__group__isnull=False
    ).values_list("fault_id", "symptom__group_id", "p_yes"):
        sums[fault_id, group_id] = sums.get((fault_id, group_id), 0.0) + p_yes
    over = {key: total for key, total in sums.items() if total > 1.0 + SHARE_TOLERANCE}
    if not over:
        return
    faults = Fault.objects.select_related("problem__vehicle_model").in_bulk({f for f, _ in over})
    groups = QuestionGroup.objects.select_related("problem__vehicle_model").in_bulk(
        {g for _, g in over}
    )
    for (fault_id, group_id), total in sorted(over.items()):
        yield (
            f"{label(faults[fault_id])}: its answers to {label(groups[group_id])} exclude each "
            f"other but their probabilities add up to {total:g}, over 1"
        )
