"""Priors per fault type, as the fault-rate table means them (docs/design.md, "How a diagnosis works").

The table rates fault types per generation; a type's rate is shared among its faults, so the
types' total prior mass in each generation orders exactly as the table's levels do.
"""

import math

import pytest

from diagnosis.content import build
from kb.models import Fault, FaultRate

pytestmark = pytest.mark.django_db


def type_masses(generation_code: str) -> dict[str, float]:
    compiled = build("nissan-qashqai", "trunk-wont-open")
    kb = compiled.knowledge_bases[generation_code]
    total = sum(f.prior for f in kb.faults)
    type_of = dict(
        Fault.objects.filter(problem__slug="trunk-wont-open").values_list("slug", "group__slug")
    )
    masses: dict[str, float] = {}
    for fault in kb.faults:
        masses[type_of[fault.key]] = masses.get(type_of[fault.key], 0.0) + fault.prior / total
    return masses


@pytest.mark.parametrize("generation", ["j10", "j11", "j11-facelift", "j12"])
def test_each_types_prior_mass_orders_as_the_tables_levels(content, generation):
    masses = type_masses(generation)
    levels = {
        rate.group.slug: rate.level.order
        for rate in FaultRate.objects.filter(
            generation__code=generation, group__in_rate_table=True
        ).select_related("group", "level")
    }
    assert set(levels) <= set(masses)
    for a in levels:
        for b in levels:
            if levels[a] > levels[b]:
                assert masses[a] > masses[b], (a, b, masses)
            elif levels[a] == levels[b]:
                assert math.isclose(masses[a], masses[b]), (a, b, masses)


def test_old_cars_weigh_cables_and_handles_above_electronics(content):
    masses = type_masses("j10")  # the table: cable and handle High, electronics Low
    assert masses["broken-drive-cable"] == pytest.approx(3 * masses["electronics-failure"])


def test_the_shares_within_each_type_add_up_to_one(content):
    totals: dict[tuple[str, str], float] = {}
    for problem, group, share in Fault.objects.values_list("problem__slug", "group__slug", "share"):
        totals[problem, group] = totals.get((problem, group), 0.0) + share
    assert all(math.isclose(total, 1.0, abs_tol=0.005) for total in totals.values()), totals


def test_within_electronics_the_battery_and_the_bcm_weigh_most(content):
    """The article: "Most often, the culprits are ... battery discharge, or failure of the
    electronic lock control unit"."""
    shares = dict(
        Fault.objects.filter(group__slug="electronics-failure").values_list("slug", "share")
    )
    top_two = sorted(shares, key=shares.get, reverse=True)[:2]
    assert set(top_two) == {"car-battery-discharged", "bcm-software-glitch"}
