"""How learned priors reach the diagnosis without the diagnosis importing the layer above.

The feedback layer (reports) learns from confirmed fixes; the diagnosis only compiles. So the
diagnosis owns this registry and the reports app fills it in its ``AppConfig.ready()`` with
its pure learning function (reports/learning.py ``learned_priors``). Unregistered (the reports
app not installed), a problem's priors are its fault-rate table's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

# (table priors {fault: weight}, report counts {fault: {kind: n}}, the problem's learning
# settings {"strength", "verified_weight", "workshop_weight", "new_weight"}) -> priors
Learner = Callable[[Mapping[str, float], Mapping[str, Mapping[str, int]], Mapping], Mapping]

_learner: list[Learner] = []


def register(learner: Learner) -> None:
    """Make ``learner`` the one that turns report counts into priors (replacing any other)."""
    _learner[:] = [learner]


def learned_priors(
    table: Mapping[str, float], counts: Mapping[str, Mapping[str, int]], settings: Mapping
) -> Mapping[str, float]:
    """The priors of a problem whose learning is on: the registered learner's, else the table."""
    if not _learner:
        return table
    return _learner[0](table, counts, settings)
