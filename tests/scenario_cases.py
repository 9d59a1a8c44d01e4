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


# Owners who know little (issue 24): each knows only the case's few facts and answers "don't
# know" to every other question, as many owners at a stuck trunk do. (generation, slug,
# facts, the cause that must rank first or "", other causes that must be in the top three.)
# Every one must end with its causes in the top three, and at least LITTLE_FIRST_TARGET of
# them with the first cause first (tests/test_scenarios.py, bench/quality.py).
LITTLE_FIRST_TARGET = 0.9
LITTLE_KNOWN = [
    (
        "j10",
        "j10-little-silence-weak-electrics",
        {"no-sound-on-press": "y", "car-electrics-weak": "y"},
        "car-battery-discharged",
        (),
    ),
    (
        "j12",
        "j12-little-silence-doors-dead-weak-start",
        {"no-sound-on-press": "y", "doors-lock-unlock-ok": "n", "car-electrics-weak": "y"},
        "car-battery-discharged",
        (),
    ),
    (
        "j11",
        "j11-little-key-button-dead-handle-opens",
        {"key-button-dead-lid-button-works": "y"},
        "key-fob-battery",
        ("key-desynchronized",),
    ),
    (
        "j12",
        "j12-little-key-not-detected-new-battery-no-help",
        {"key-not-detected": "y", "fresh-key-battery-no-help": "y"},
        "key-desynchronized",
        (),
    ),
    (
        "j11",
        "j11-little-silence-doors-fine-fuse-blown",
        {"no-sound-on-press": "y", "doors-lock-unlock-ok": "y", "fuse-intact": "n"},
        "trunk-fuse-blown",
        (),
    ),
    (
        "j12",
        "j12-little-silence-doors-fine-fuse-intact",
        {"no-sound-on-press": "y", "doors-lock-unlock-ok": "y", "fuse-intact": "y"},
        "bcm-software-glitch",
        (),
    ),
    (
        "j10",
        "j10-little-handle-loose-lock-clicks",
        {"handle-no-resistance": "y", "motor-clicks-lid-stays": "y"},
        "release-cable-broken",
        (),
    ),
    (
        "j11",
        "j11-little-frost-handle-stiff",
        {"freezing-temperature": "y", "handle-stiff": "y"},
        "lock-frozen",
        (),
    ),
    (
        "j12",
        "j12-little-frost-lock-whirrs",
        {"freezing-temperature": "y", "motor-clicks-lid-stays": "y"},
        "lock-frozen",
        (),
    ),
    (
        "j11-facelift",
        "j11f-little-damp-lock-error",
        {"water-near-lock": "y", "dashboard-lock-error": "y"},
        "lock-contacts-oxidized",
        (),
    ),
    (
        "j11",
        "j11-little-whirrs-lid-press-frees-it",
        {"lid-press-releases": "y", "motor-clicks-lid-stays": "y"},
        "lock-gears-jammed",
        (),
    ),
    ("j10", "j10-little-cracked-handle", {"handle-cracked": "y"}, "handle-broken", ()),
    (
        "j11",
        "j11-little-key-opens-handle-does-not",
        {"key-button-works-lid-button-dead": "y"},
        "handle-broken",
        (),
    ),
    (
        "j12",
        "j12-little-handle-dead-moves-freely",
        {"key-button-works-lid-button-dead": "y", "handle-no-resistance": "y"},
        "handle-broken",
        (),
    ),
    (
        "j11",
        "j11-little-lock-error-silence-doors-fine",
        {"dashboard-lock-error": "y", "no-sound-on-press": "y", "doors-lock-unlock-ok": "y"},
        "",
        ("lock-actuator-failed",),
    ),
    (
        "j10",
        "j10-little-handle-as-usual-whirrs-high-mileage",
        {
            "handle-no-resistance": "n",
            "handle-stiff": "n",
            "motor-clicks-lid-stays": "y",
            "lid-press-releases": "y",
        },
        "lock-gears-jammed",
        (),
    ),
    (
        "j10",
        "j10-little-handle-as-usual-silence-neither-button",
        {
            "handle-no-resistance": "n",
            "handle-stiff": "n",
            "no-sound-on-press": "y",
            "key-button-dead-lid-button-works": "n",
            "key-button-works-lid-button-dead": "n",
            "car-electrics-weak": "y",
        },
        "car-battery-discharged",
        (),
    ),
    (
        "j11-facelift",
        "j11f-little-silence-doors-fine-no-voltage",
        {
            "no-sound-on-press": "y",
            "doors-lock-unlock-ok": "y",
            "voltage-at-lock": "n",
            "fuse-intact": "n",
        },
        "trunk-fuse-blown",
        (),
    ),
    (
        "j10",
        "j10-little-frost-after-wash",
        {
            "freezing-temperature": "y",
            "motor-clicks-lid-stays": "y",
            "handle-no-resistance": "n",
            "handle-stiff": "n",
        },
        "lock-frozen",
        (),
    ),
]


def play_little():
    """(case tuple, verdict) for every owner who knows little, against the database's content."""
    from diagnosis.content import build
    from diagnosis.scenarios import judge

    compiled = build(MODEL, PROBLEM)
    return [
        (case, judge(compiled, case[0], case[2], case[3], [s for s in (case[3], *case[4]) if s]))
        for case in LITTLE_KNOWN
    ]
