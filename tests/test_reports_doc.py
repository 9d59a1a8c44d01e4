"""docs/content.md's worked example of learning priors is what the code computes."""

from pathlib import Path

import pytest

from diagnosis.content import build
from reports.learning import blended_priors, normalised, weighted_counts
from reports.overview import first_ranking

DOC = (Path(__file__).resolve().parent.parent / "docs/content.md").read_text()
# The example's reports (docs/content.md, "Priors that learn from confirmed fixes").
COUNTS = {
    "handle-broken": {"verified": 5, "owner": 3},
    "release-cable-broken": {"verified": 3},
    "lock-frozen": {"verified": 2, "workshop": 2},
}


@pytest.mark.django_db
def test_the_worked_example_in_the_content_guide_is_computed_by_the_code(content):
    table = build("nissan-qashqai", "trunk-wont-open").table_priors["j11"]
    weighted = weighted_counts(COUNTS, verified_weight=2, workshop_weight=5)
    learned = blended_priors(table, weighted, strength=50)
    shares = normalised(table)
    before, after = first_ranking(shares), first_ranking(learned)
    total = sum(weighted.values())
    assert total == 30
    for slug in table:
        row = (
            f"| `{slug}` | {shares[slug] * 100:.1f} % | {sum(COUNTS.get(slug, {}).values())} "
            f"| {weighted.get(slug, 0):g} | {weighted.get(slug, 0) / total * 100:.0f} % "
            f"| {learned[slug] * 100:.1f} % | {before[slug]} → {after[slug]} |"
        )
        assert row in DOC, row
