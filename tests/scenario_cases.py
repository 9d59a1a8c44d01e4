"""The article's cases, read from the shipped test cases (fixtures/scenario-cases.json, the
`diagnosis.ScenarioCase` rows), and played by the project's simulated owner
(diagnosis/scenarios.py): shared by the scenario tests and `bench/quality.py`.

Each case names a generation, the facts an owner standing at that car knows, and the causes
the article points to: `first` must rank first, and every cause in `top3` must be in the top
three. Its facts are whole: besides the case's own, what an owner at the car sees when nothing
else is wrong (the electrics fine, the doors working, no frost, the handle as usual...); checks
that need a tool, a fuse puller, a new key battery or a helper only where the case says.
"""

from __future__ import annotations

import json
from pathlib import Path

MODEL, PROBLEM = "nissan-qashqai", "trunk-wont-open"
CASES_FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "scenario-cases.json"


def fixture_cases() -> list[dict]:
    """The shipped cases' fields, straight from the fixture (for test ids at collection)."""
    return [row["fields"] for row in json.loads(CASES_FIXTURE.read_text(encoding="utf-8"))]


def cases():
    """The problem's active cases, as loaded into the database."""
    from diagnosis.models import ScenarioCase

    return list(
        ScenarioCase.objects.filter(
            problem__vehicle_model__slug=MODEL, problem__slug=PROBLEM, is_active=True
        ).select_related("generation", "problem")
    )


def play_all():
    """(case, verdict) for every active case, against the content in the database."""
    from diagnosis.content import build
    from diagnosis.validation import play_case

    compiled = build(MODEL, PROBLEM)
    return [(case, play_case(compiled, case)) for case in cases()]


# Before any answer: the causes each generation starts with, as the fault-rate table puts them
# (docs/content.md, "Priors"); ties share the lead, so each is a set.
FIRST_RANKINGS = {
    "j10": {"release-cable-broken", "handle-broken"},  # cables and handles "High"
    # the seed's one J11 column: locks "High", but shared by four lock faults; the cable and
    # the handle ("Average", one fault each) come first
    "j11": {"release-cable-broken", "handle-broken"},
    "j11-facelift": {"release-cable-broken", "handle-broken"},
    # electronics "High" (the article singles out J12's electronics): the battery and the BCM
    # hold the largest shares of it
    "j12": {"car-battery-discharged", "bcm-software-glitch"},
}
