"""What the admin shows staff: per generation and fault, the table's prior, the confirmed
reports, the blended prior and the wizard's first ranking before and after; and, per
(fault, symptom), the authored likelihood against the yes-rate observed in reports."""

from __future__ import annotations

from dataclasses import dataclass

from diagnosis.content import build
from kb.models import Fault, Likelihood
from kb.validation import P_MAX, P_MIN

from . import learning
from .models import OwnerReport, PriorLearning, WorkshopReport
from .stats import yes_rate_interval


@dataclass(frozen=True)
class PriorRow:
    fault: str
    name: str
    table: float  # the table's prior, normalised
    reports: int  # confirmed reports naming it (spam and “something else” left out)
    weighted: float
    share: float | None  # of the generation's weighted confirmed reports
    blended: float  # the prior with learning on
    rank_before: int  # in the wizard's first ranking (no answer yet), 1 = top
    rank_after: int

    @property
    def rank_change(self) -> str:
        if self.rank_after == self.rank_before:
            return "="
        arrow = "↑" if self.rank_after < self.rank_before else "↓"
        return f"{self.rank_before} → {self.rank_after} {arrow}"


@dataclass(frozen=True)
class GenerationOverview:
    code: str
    name: str
    reports: int
    rows: tuple[PriorRow, ...]


def first_ranking(priors: dict[str, float]) -> dict[str, int]:
    """Rank of each fault before any answer: by prior, ties in content order (as the engine)."""
    order = sorted(priors, key=lambda fault: -priors[fault])
    return {fault: position for position, fault in enumerate(order, start=1)}


def prior_overview(setting: PriorLearning) -> list[GenerationOverview]:
    problem = setting.problem
    compiled = build(problem.vehicle_model.slug, problem.slug)
    if compiled is None:
        return []
    faults = Fault.objects.filter(problem=problem).values_list("pk", "slug")
    slug_of = {str(pk): slug for pk, slug in faults}
    generation_ids = dict(problem.vehicle_model.generations.values_list("code", "pk"))
    result = []
    for generation in compiled.generations:
        table = compiled.table_priors[generation.code]
        if not table:
            continue
        reported = setting.counts.get(str(generation_ids[generation.code]), {})
        by_kind = {slug_of[key]: kinds for key, kinds in reported.items() if key in slug_of}
        weighted = learning.weighted_counts(
            by_kind, setting.verified_weight, setting.workshop_weight, setting.new_weight
        )
        blended = learning.blended_priors(table, weighted, setting.strength)
        normal = learning.normalised(table)
        total = sum(weighted.values())
        before, after = first_ranking(normal), first_ranking(blended)
        rows = tuple(
            PriorRow(
                fault=slug,
                name=compiled.faults[slug].name,
                table=normal[slug],
                reports=sum(by_kind.get(slug, {}).values()),
                weighted=weighted.get(slug, 0.0),
                share=weighted.get(slug, 0.0) / total if total else None,
                blended=blended[slug],
                rank_before=before[slug],
                rank_after=after[slug],
            )
            for slug in sorted(table, key=lambda s: before[s])
        )
        result.append(
            GenerationOverview(generation.code, generation.name, sum(r.reports for r in rows), rows)
        )
    return result


# --- likelihoods against the answers in reports ------------------------------------------------


@dataclass(frozen=True)
class Observed:
    yes: int
    no: int

    @property
    def reports(self) -> int:
        return self.yes + self.no

    @property
    def rate(self) -> float | None:
        return self.yes / self.reports if self.reports else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return yes_rate_interval(self.yes, self.no) if self.reports else None


def _answer_pairs(answers: str):
    for token in answers.split(","):
        symptom, _, value = token.partition(":")
        if symptom and value in ("y", "n"):  # "don't know" says nothing about the rate
            yield symptom, value


def observed_answers(problem_ids=None) -> dict[tuple[int, str], Observed]:
    """(fault id, symptom slug) -> yeses and noes among confirmed reports that carry answers:
    owners' (not spam) and workshops'. Each report counts once, whatever its weight."""
    owner = OwnerReport.objects.filter(fault__isnull=False).exclude(answers="")
    owner = owner.exclude(status=OwnerReport.Status.SPAM)
    workshop = WorkshopReport.objects.exclude(answers="")
    if problem_ids is not None:
        owner = owner.filter(problem_id__in=problem_ids)
        workshop = workshop.filter(fault__problem_id__in=problem_ids)
    tally: dict[tuple[int, str], list[int]] = {}
    for queryset in (owner, workshop):
        for fault_id, answers in queryset.values_list("fault_id", "answers").iterator():
            for symptom, value in _answer_pairs(answers):
                counts = tally.setdefault((fault_id, symptom), [0, 0])
                counts[0 if value == "y" else 1] += 1
    return {pair: Observed(yes, no) for pair, (yes, no) in tally.items()}


def observed_for(likelihoods) -> dict[int, Observed]:
    """Each likelihood's observation (by its pk), for a page of the admin's list."""
    likelihoods = list(likelihoods)
    problems = {likelihood.fault.problem_id for likelihood in likelihoods}
    seen = observed_answers(problems)
    return {
        likelihood.pk: seen.get((likelihood.fault_id, likelihood.symptom.slug), Observed(0, 0))
        for likelihood in likelihoods
    }


def apply_observed(likelihood_ids, user=None) -> list[Likelihood]:
    """Set each likelihood to its observed yes-rate (rounded to a percent), saved as an edit
    so the history records it and the content version moves. Pairs without answers stay."""
    likelihoods = list(
        Likelihood.objects.filter(pk__in=likelihood_ids).select_related("fault", "symptom")
    )
    observed = observed_for(likelihoods)
    changed = []
    for likelihood in likelihoods:
        seen = observed[likelihood.pk]
        if seen.rate is None:
            continue
        value = min(max(round(seen.rate, 2), P_MIN), P_MAX)  # never a certainty
        if value == likelihood.p_yes:
            continue
        likelihood.p_yes = value
        likelihood._change_reason = (
            f"observed yes-rate applied: {seen.yes} yes of {seen.reports} confirmed reports"
        )
        likelihood.save()
        changed.append(likelihood)
    return changed
