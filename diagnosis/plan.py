"""What to do, in which order: the ranking turned into a plan of checks and repairs.

Plain Python (standard library only), no Django, like engine.py next to it.

The model (Heckerman, Breese & Rommelse, "Decision-theoretic troubleshooting", 1995)
-----------------------------------------------------------------------------------
One fault is present; π_f is its posterior. Each fault f is settled by one *check* c(f): a
procedure (or a run of procedures) that tells whether f is the cause, with a cost paid
whenever it is done, and a *repair* with a cost r_f paid only when f is the cause. Several
faults can share one check (a multimeter at the lock tells both lock faults): a step of the
plan is one check with the faults it settles, p_s = Σ_{f settled by s} π_f, and the owner
works through the steps until the car is fixed. Doing steps s_1, s_2, … in that order, step
s_i is reached only when none of the earlier ones found the cause, so the expected cost to a
fixed car (ECR) is

    ECR = Σ_i C_{s_i} · (1 − Σ_{j<i} p_{s_j})  +  Σ_f π_f · r_f

The repair term does not depend on the order. The first term is minimised by taking the
steps in decreasing p_s / C_s (an exchange argument: swapping two neighbours i, i+1 changes
ECR by C_{i+1}·p_i − C_i·p_{i+1}, which is ≥ 0 exactly when p_i/C_i ≥ p_{i+1}/C_{i+1}). The
plan is that order; beside it the order by probability alone, with its own ECR, for contrast.

Costs are minutes and money, kept apart for the owner; the order needs one scale, the
*cost*: minutes + money / money_per_minute (`Cost.scaled`), the money an owner would give to
save a minute of their own time (docs/content.md, "Plan: what to do, in this order"). Every
linear total (time, money, scaled) is computed with the same formula, so the plan's expected
minutes and money are each the expectation of that part of the cost.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Cost:
    minutes: float = 0.0
    money: float = 0.0

    def scaled(self, money_per_minute: float) -> float:
        """One number to order by: minutes, with money converted at `money_per_minute`."""
        return self.minutes + self.money / money_per_minute

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.minutes + other.minutes, self.money + other.money)

    def times(self, factor: float) -> Cost:
        return Cost(self.minutes * factor, self.money * factor)


ZERO = Cost()


@dataclass(frozen=True, slots=True)
class Remedy:
    """How one fault is settled: its check (a key naming the procedure or procedures, shared by
    the faults one check settles) with the check's cost, and the repair paid when it is the
    cause (ZERO when the check fixes it too: a new fuse, a charged battery)."""

    fault: str
    check: str
    check_cost: Cost
    repair_cost: Cost = ZERO


@dataclass(frozen=True, slots=True)
class Step:
    check: str
    faults: tuple[str, ...]  # the faults this check settles, most likely first
    probability: float  # p_s: the chance this step finds the cause
    check_cost: Cost
    repair_cost: Cost  # expected repair cost when this step finds the cause
    reached: float  # the chance the owner gets to this step: 1 − Σ earlier p


@dataclass(frozen=True, slots=True)
class Order:
    steps: tuple[Step, ...]
    expected: Cost  # expected minutes and money to a fixed car
    expected_scaled: float  # the same on the one scale


@dataclass(frozen=True, slots=True)
class Plan:
    by_cost: Order  # the plan: decreasing probability / cost
    by_probability: Order  # the ranking's order, for contrast
    money_per_minute: float

    @property
    def saving(self) -> float:
        """What the plan saves on the one scale, against the probability order (>= 0)."""
        return self.by_probability.expected_scaled - self.by_cost.expected_scaled


def _steps(
    posterior: Mapping[str, float], remedies: Iterable[Remedy]
) -> list[tuple[str, list[Remedy], float, Cost, int]]:
    """The checks, each with the remedies it settles, its p_s, its cost and first position."""
    grouped: dict[str, tuple[list[Remedy], Cost, int]] = {}
    for position, remedy in enumerate(remedies):
        if remedy.fault not in posterior:
            raise ValueError(f"no posterior for fault {remedy.fault!r}")
        if remedy.check in grouped:
            grouped[remedy.check][0].append(remedy)
        else:
            grouped[remedy.check] = ([remedy], remedy.check_cost, position)
    return [
        (check, items, math.fsum(posterior[r.fault] for r in items), cost, position)
        for check, (items, cost, position) in grouped.items()
    ]


@dataclass(frozen=True, slots=True)
class Walk:
    """One order of the steps as numbers, without a Step object per step (`walks`)."""

    # per step: its check, the faults it settles (most likely first), p_s, the check's cost
    steps: tuple[tuple[str, tuple[str, ...], float, Cost], ...]
    expected: Cost


def _walk(
    posterior: Mapping[str, float], chosen: list
) -> tuple[list[tuple[str, list[Remedy], float, Cost, float, float, float]], Cost]:
    """Each step of one order with what the order's Step holds, and its expected Cost: per
    step (check, remedies most likely first, p_s, check cost, reached, and the repair's
    expected minutes and money when it finds the cause, not yet divided by p_s)."""
    # In floats, not Cost objects: each Cost sum or product made a frozen object, most of a
    # plan's time (issue 23, item 3). The same operations in the same order as Cost's
    # (ZERO + r·π + …, then × 1/p), so every figure is the same to the last bit.
    walked, done = [], 0.0
    minutes = money = 0.0
    for check, items, p, cost, _ in chosen:
        reached = max(0.0, 1.0 - done)
        if len(items) > 1:
            items = sorted(items, key=lambda r: -posterior[r.fault])
        repair_minutes = repair_money = 0.0
        for remedy in items:
            share = posterior[remedy.fault]
            repair_minutes += remedy.repair_cost.minutes * share
            repair_money += remedy.repair_cost.money * share
        minutes += cost.minutes * reached + repair_minutes
        money += cost.money * reached + repair_money
        walked.append((check, items, p, cost, reached, repair_minutes, repair_money))
        done += p
    return walked, Cost(minutes, money)


def _order(posterior: Mapping[str, float], chosen: list, money_per_minute: float) -> Order:
    walked, expected = _walk(posterior, chosen)
    steps = []
    for check, items, p, cost, reached, repair_minutes, repair_money in walked:
        if p > 0:
            scale = 1.0 / p
            repair = Cost(repair_minutes * scale, repair_money * scale)
        else:
            repair = ZERO
        steps.append(
            Step(
                check=check,
                faults=tuple(r.fault for r in items),
                probability=p,
                check_cost=cost,
                repair_cost=repair,
                reached=reached,
            )
        )
    return Order(tuple(steps), expected, expected.scaled(money_per_minute))


def _ordered(
    posterior: Mapping[str, float], remedies: Iterable[Remedy], money_per_minute: float
) -> tuple[list, list]:
    """The steps in the plan's order (decreasing probability / cost) and in the order of
    probability alone, validated."""
    if not (money_per_minute > 0 and math.isfinite(money_per_minute)):
        raise ValueError(f"money_per_minute must be > 0, not {money_per_minute!r}")
    steps = _steps(posterior, remedies)
    for check, _, _, cost, _ in steps:
        if not cost.scaled(money_per_minute) > 0:
            raise ValueError(f"check {check!r}: its cost must be > 0")

    def by_ratio(step):
        _, _, p, cost, position = step
        return (-p / cost.scaled(money_per_minute), -p, position)

    def by_probability(step):
        _, _, p, cost, position = step
        return (-p, cost.scaled(money_per_minute), position)

    return sorted(steps, key=by_ratio), sorted(steps, key=by_probability)


def make_plan(
    posterior: Mapping[str, float], remedies: Iterable[Remedy], *, money_per_minute: float
) -> Plan:
    """The steps in the order that minimises the expected cost to a fixed car, and in the order
    of probability alone, each with its expected minutes and money.

    `posterior` sums to 1 over the faults (diagnosis.engine.posterior); every remedy's fault
    must be in it. A fault without a remedy is never settled by the plan, and its share is
    left in the last step's "reached". Ties keep the remedies' order.
    """
    by_ratio, by_probability = _ordered(posterior, remedies, money_per_minute)
    return Plan(
        by_cost=_order(posterior, by_ratio, money_per_minute),
        by_probability=_order(posterior, by_probability, money_per_minute),
        money_per_minute=money_per_minute,
    )


def walks(
    posterior: Mapping[str, float], remedies: Iterable[Remedy], *, money_per_minute: float
) -> tuple[Walk, Walk]:
    """`make_plan`'s two orders, the plan's and the probability's, with the same figures but
    no Step (nor its expected repair Cost) per step: for a caller that makes objects of its
    own from the steps on every state (diagnosis/service.py), where those were a third of
    the plan's time."""

    def walk(chosen) -> Walk:
        walked, expected = _walk(posterior, chosen)
        steps = tuple(
            (check, tuple(r.fault for r in items), p, cost) for check, items, p, cost, *_ in walked
        )
        return Walk(steps, expected)

    by_ratio, by_probability = _ordered(posterior, remedies, money_per_minute)
    return walk(by_ratio), walk(by_probability)


def expected_cost(
    posterior: Mapping[str, float],
    remedies: Iterable[Remedy],
    order: Iterable[str],
    *,
    money_per_minute: float,
) -> float:
    """ECR on the one scale of the checks taken in `order` (check keys), for tests and benches:
    Σ_i C_i · (1 − Σ_{j<i} p_j) + Σ_f π_f · r_f."""
    steps = {check: (items, p, cost) for check, items, p, cost, _ in _steps(posterior, remedies)}
    total, done = 0.0, 0.0
    for check in order:
        items, p, cost = steps[check]
        total += cost.scaled(money_per_minute) * max(0.0, 1.0 - done)
        total += math.fsum(
            posterior[r.fault] * r.repair_cost.scaled(money_per_minute) for r in items
        )
        done += p
    return total
