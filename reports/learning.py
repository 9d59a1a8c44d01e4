"""Priors that learn from confirmed fixes: pure Python, no Django import.

Per generation, a fault's prior is the posterior mean of a Dirichlet distribution over the
problem's faults. Its pseudo-counts are the fault-rate table's prior (type level weight ×
share, normalised) times a strength staff set (the table is worth that many reports); the
observations are the weighted confirmed reports of each fault:

    confirmed(f) = verified_weight × verified(f) + workshop_weight × workshop(f)
                   + new_weight × unreviewed(f)      (new_weight 0 unless staff raise it,
                                                      at most NEW_WEIGHT_MAX; spam: never)


    prior(f) = (strength × table(f) + confirmed(f)) / (strength + Σ confirmed)

With no confirmed report this is the table's prior exactly (returned as is, not recomputed),
and as reports pile up it tends to each fault's share of them. Every prior stays above zero
(strength ≥ MIN_STRENGTH and every table prior is above zero), as the engine requires.
"""

from __future__ import annotations

from collections.abc import Mapping

# Below one report's worth, the table would barely count and an unreported fault would sink
# towards a prior of zero, which the engine refuses.
MIN_STRENGTH = 1.0
# The kinds of report: an owner's nobody reviewed yet (status NEW), one staff verified, and a
# workshop's (entered by staff). Spam is no kind: it counts nowhere.
OWNER, VERIFIED, WORKSHOP = "owner", "verified", "workshop"
KINDS = (OWNER, VERIFIED, WORKSHOP)
# An unreviewed report counts 0 unless staff raise it, and never above NEW_WEIGHT_MAX: anyone
# may send one, and the rate limit (5 an hour per IPv4 address or IPv6 /64) still lets a
# few hundred addresses send hundreds. At 0.2, fifty unreviewed reports weigh as ten, so
# against the default strength of 50 they move a prior at most a sixth of the way
# (10 / 60); every report staff verified counts ten times as much (verified weight 2).
NEW_WEIGHT_MAX = 0.2


def normalised(weights: Mapping[str, float]) -> dict[str, float]:
    total = sum(weights.values())
    return {key: value / total for key, value in weights.items()}


def kind_weights(
    verified_weight: float, workshop_weight: float, new_weight: float = 0.0
) -> dict[str, float]:
    """What one report of each kind counts for: an unreviewed one `new_weight` (default 0,
    capped at NEW_WEIGHT_MAX), a verified one and a workshop's the weights staff set."""
    new = min(max(0.0, new_weight), NEW_WEIGHT_MAX)
    return {OWNER: new, VERIFIED: verified_weight, WORKSHOP: workshop_weight}


def weighted_counts(
    counts: Mapping[str, Mapping[str, int]],
    verified_weight: float,
    workshop_weight: float,
    new_weight: float = 0.0,
) -> dict[str, float]:
    """Each fault's reports, weighted: {fault: {kind: count}} -> {fault: weight}."""
    weight = kind_weights(verified_weight, workshop_weight, new_weight)
    return {
        fault: sum(weight[kind] * n for kind, n in by_kind.items() if kind in weight)
        for fault, by_kind in counts.items()
    }


def blended_priors(
    table_weights: Mapping[str, float], confirmed: Mapping[str, float], strength: float
) -> dict[str, float]:
    """The Dirichlet posterior mean over the faults of `table_weights` (unnormalised table
    priors); `confirmed` holds weighted report counts (faults not in the table are ignored)."""
    if strength < MIN_STRENGTH:
        raise ValueError(f"strength must be at least {MIN_STRENGTH}, not {strength!r}")
    table = normalised(table_weights)
    observed = {fault: max(0.0, confirmed.get(fault, 0.0)) for fault in table}
    total = sum(observed.values())
    if total == 0:
        return table
    return {
        fault: (strength * share + observed[fault]) / (strength + total)
        for fault, share in table.items()
    }


def learned_priors(
    table_weights: Mapping[str, float],
    counts: Mapping[str, Mapping[str, int]],
    settings: Mapping,
) -> Mapping[str, float]:
    """What the diagnosis compiles for a problem whose learning is on (registered with
    diagnosis.priors by reports/apps.py): the table itself while no report counts, else the
    blend. `counts` is {fault: {kind: n}}; `settings` the problem's PriorLearning values."""
    confirmed = weighted_counts(
        counts, settings["verified_weight"], settings["workshop_weight"], settings["new_weight"]
    )
    if not any(confirmed.values()):
        return table_weights  # exactly today's priors, not a recomputed equal
    return blended_priors(table_weights, confirmed, settings["strength"])
