"""A new cause takes its share from the other faults of its type, and starts with a chance.

The faults of one problem and fault type divide the type's rate: their shares add up to 1
(kb.validation blocks a problem whose shares do not). A new fault's share is taken from the
others in proportion to what each had, unless staff set their shares themselves. Its starting
chance in a generation is its prior before any answer: its type's rate weight there times its
share, over the sum of every fault's (diagnosis/content.py), with the others rebalanced.
"""

from __future__ import annotations

from dataclasses import dataclass

from diagnosis import content
from kb.models import Fault, FaultGroup, FaultRate, Problem


def proportional(shares: dict, new: float) -> dict:
    """The others' shares scaled so that they and the new one add up to 1."""
    total = sum(shares.values())
    if not total:
        return dict(shares)
    return {key: share * (1 - new) / total for key, share in shares.items()}


def siblings(problem: Problem, group: FaultGroup) -> list[Fault]:
    """The faults the new one shares its type's rate with."""
    return list(Fault.objects.filter(problem=problem, group=group).order_by("order", "name"))


@dataclass
class StartingChance:
    generation: str
    probability: float


def starting_chances(
    problem: Problem, group: FaultGroup, share: float, others: dict[str, float], slug: str = ""
) -> list[StartingChance]:
    """Per generation, the prior of a fault with `share` (a new one, or the saved fault
    `slug`) with `others` (slug -> share) in place of the saved shares of its type's faults;
    from the rate table, before any learning."""
    compiled = content.build(problem.vehicle_model.slug, problem.slug)
    if compiled is None:
        return []
    weights = dict(
        FaultRate.objects.filter(
            group=group, generation__vehicle_model=problem.vehicle_model
        ).values_list("generation__code", "level__weight")
    )
    chances = []
    for generation in compiled.generations:
        weight = weights.get(generation.code, content.MISSING_RATE_WEIGHT)
        table = {  # a sibling's prior is its type's weight times its share, as others set it
            key: weight * others[key] if key in others else prior
            for key, prior in compiled.table_priors.get(generation.code, {}).items()
            if key != slug
        }
        new = weight * share
        total = sum(table.values()) + new
        chances.append(
            StartingChance(f"{generation.name} ({generation.years})", new / total if total else 0)
        )
    return chances
