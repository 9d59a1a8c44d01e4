"""How honest the shown percentages are (issue 24): the reliability table and the expected
calibration error, from pairs (the top cause's shown probability, whether it was the cause).

One function for both places that measure it, so they cannot drift apart: bench/quality.py
(simulated owners) and the staff usage dashboard (verified reports, usage/stats.py).
Plain Python, like the engine.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

BINS = 10  # 0–10 %, 10–20 %, …, 90–100 %


@dataclass(frozen=True)
class Bin:
    """One band of shown probability: the cases in it, how many were right, their mean shown."""

    index: int
    low: float
    high: float
    cases: int
    hits: int
    mean_shown: float

    @property
    def hit_rate(self) -> float:
        return self.hits / self.cases


@dataclass(frozen=True)
class Reliability:
    """The non-empty bins in order, the number of cases and the expected calibration error."""

    bins: tuple[Bin, ...]
    cases: int
    ece: float

    def bin(self, index: int) -> Bin | None:
        return next((b for b in self.bins if b.index == index), None)


def bin_index(shown: float, bins: int = BINS) -> int:
    """The band of a shown probability; 100 % falls in the last band, not one of its own."""
    return min(bins - 1, max(0, int(shown * bins)))


def reliability(outcomes: Iterable[tuple[float, bool]], bins: int = BINS) -> Reliability | None:
    """The reliability table of (shown probability, right?) pairs, None when there are none.

    ECE = Σ_b n_b / N · |hit rate_b − mean shown_b|: how far, on average over the cases, the
    shown percentage is from how often it is right."""
    grouped: dict[int, list[tuple[float, bool]]] = {}
    for shown, right in outcomes:
        grouped.setdefault(bin_index(shown, bins), []).append((shown, bool(right)))
    total = sum(len(items) for items in grouped.values())
    if not total:
        return None
    table = []
    for index in sorted(grouped):
        items = grouped[index]
        table.append(
            Bin(
                index=index,
                low=index / bins,
                high=(index + 1) / bins,
                cases=len(items),
                hits=sum(right for _, right in items),
                mean_shown=sum(shown for shown, _ in items) / len(items),
            )
        )
    ece = sum(b.cases / total * abs(b.hit_rate - b.mean_shown) for b in table)
    return Reliability(bins=tuple(table), cases=total, ece=ece)
