"""What the staff dashboard (`usage.sources`) reads of the confirmed fixes, by report date.

Keys are ("<model slug>/<problem slug>", generation code, fault slug); a report of
"something else" has the fault slug "". Spam counts nowhere.

And, for the reliability table, what verified owners were shown against what fixed the car.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count

from .counting import OWNER_KIND
from .learning import WORKSHOP, kind_weights
from .models import OwnerReport, PriorLearning, WorkshopReport

Key = tuple[str, str, str]
_DEFAULT = PriorLearning()  # the weights a problem has before staff change them


def _counts_by_kind(day_from: dt.date, day_to: dt.date) -> dict[tuple[Key, str, str], int]:
    """{(key, problem pk, kind): n}: two queries."""
    counts: dict[tuple[Key, str, str], int] = defaultdict(int)
    owner = OwnerReport.objects.exclude(status=OwnerReport.Status.SPAM)
    for row in _grouped(owner, "problem", day_from, day_to, "status"):
        counts[row["key"], row["problem"], OWNER_KIND[row["status"]]] += row["n"]
    for row in _grouped(WorkshopReport.objects.all(), "fault__problem", day_from, day_to):
        counts[row["key"], row["problem"], WORKSHOP] += row["n"]
    return counts


def _grouped(reports, problem: str, day_from: dt.date, day_to: dt.date, *extra: str):
    """Reports received in the days, counted per problem, generation, fault and ``extra``
    fields; ``problem`` is the path from a report to its problem. Each row gets its key and
    its problem's pk."""
    rows = (
        reports.filter(created__date__range=(day_from, day_to))
        .values(
            f"{problem}_id",
            f"{problem}__vehicle_model__slug",
            f"{problem}__slug",
            "generation__code",
            "fault__slug",
            *extra,
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        row["key"] = (
            f"{row[f'{problem}__vehicle_model__slug']}/{row[f'{problem}__slug']}",
            row["generation__code"],
            row["fault__slug"] or "",
        )
        row["problem"] = row[f"{problem}_id"]
        yield row


def report_counts(day_from: dt.date, day_to: dt.date) -> dict[Key, int]:
    totals: dict[Key, int] = defaultdict(int)
    for (key, _problem, _kind), n in _counts_by_kind(day_from, day_to).items():
        totals[key] += n
    return dict(totals)


def confirmed_fixes(day_from: dt.date, day_to: dt.date) -> dict[Key, float]:
    """Each report times its weight, as the learning priors count it (the problem's weights)."""
    counts = _counts_by_kind(day_from, day_to)
    learning = {
        row.problem_id: row
        for row in PriorLearning.objects.filter(problem_id__in={p for _, p, _ in counts})
    }
    totals: dict[Key, float] = defaultdict(float)
    for (key, problem, kind), n in counts.items():
        weights = learning.get(problem, _DEFAULT)
        weight = kind_weights(weights.verified_weight, weights.workshop_weight, weights.new_weight)
        totals[key] += weight[kind] * n
    return dict(totals)


def shown_and_confirmed(day_from: dt.date, day_to: dt.date) -> list[tuple[float, bool]]:
    """Per verified owner report sent from a wizard result and received in the days: the top
    cause's probability in the ranking the owner saw (stored with the report, recomputed on
    the server from the answers when it was sent), and whether that cause is the one the owner
    confirmed ("something else" is a miss). A report sent from a repair card (no answers) is
    left out: its owner saw no ranking. One query, whatever the number of reports."""
    rows = (
        OwnerReport.objects.filter(
            status=OwnerReport.Status.VERIFIED, created__date__range=(day_from, day_to)
        )
        .exclude(answers="")
        .values_list("ranking", "fault__slug")
        .order_by()
    )
    return [(float(ranking[0][1]), ranking[0][0] == fault) for ranking, fault in rows if ranking]
