"""The content check's view of confirmed fixes: where the reports disagree with the table.

Registered with kb.validation's `@check` when the app is ready (reports.apps), so
`manage.py kb_check`, the admin's "Content check" page and the message after a save list it,
while kb imports nothing from this app.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from kb.models import Fault, Generation, Problem
from kb.validation import Finding, check

from .learning import normalised
from .models import PriorLearning

# A share this many times above or below the table's, on at least this many reports.
DISAGREEMENT_FACTOR = 3.0
MIN_REPORTS = 20
# A fault nobody reported is flagged only when the table expected this many reports of it:
# with fewer, silence is chance.
MIN_EXPECTED_FOR_ABSENCE = 3.0


def disagreements(
    table: dict[str, float], reported: dict[str, int]
) -> Iterator[tuple[str, float, float, int]]:
    """(fault, table share, reported share, total) where they differ by more than the factor."""
    total = sum(reported.get(fault, 0) for fault in table)
    if total < MIN_REPORTS:
        return
    for fault, expected in normalised(table).items():
        observed = reported.get(fault, 0) / total
        too_high = observed > DISAGREEMENT_FACTOR * expected
        too_low = observed * DISAGREEMENT_FACTOR < expected and (
            observed > 0 or expected * total >= MIN_EXPECTED_FOR_ABSENCE
        )
        if too_high or too_low:
            yield fault, expected, observed, total


@check
def _reports_disagree_with_the_table(problem: Problem | None = None) -> Iterator[Finding]:
    from diagnosis.content import build  # diagnosis reads reports; this runs only at check time

    rows = PriorLearning.objects.select_related("problem__vehicle_model").exclude(counts={})
    if problem is not None:
        rows = rows.filter(problem=problem)
    for row in rows:
        item = row.problem
        compiled = build(item.vehicle_model.slug, item.slug)
        if compiled is None:
            continue
        faults = {f.pk: f for f in Fault.objects.filter(problem=item)}
        generations = {g.pk: g for g in Generation.objects.filter(vehicle_model=item.vehicle_model)}
        for generation_id, by_fault in sorted(row.counts.items()):
            generation = generations.get(int(generation_id))
            if generation is None or generation.code not in compiled.table_priors:
                continue
            reported = {
                faults[int(fault_id)].slug: sum(by_kind.values())
                for fault_id, by_kind in by_fault.items()
                if int(fault_id) in faults
            }
            by_slug = {f.slug: f for f in faults.values()}
            table = compiled.table_priors[generation.code]
            for slug, expected, observed, total in disagreements(table, reported):
                yield Finding(
                    by_slug[slug],
                    _(
                        "in %(generation)s, %(observed)s %% of %(total)s confirmed fixes name "
                        "it, while the fault-rate table gives it %(expected)s %%: check its "
                        "type's rate and its share"
                    )
                    % {
                        "generation": generation.name,
                        "observed": f"{observed * 100:.0f}",
                        "total": total,
                        "expected": f"{expected * 100:.1f}",
                    },
                    item,
                )
