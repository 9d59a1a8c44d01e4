"""The likelihoods follow the article (issue: "Likelihoods that follow the article").

Each test reads the shipped content as the engine uses it and checks one reading of the
article, as an owner's answers would move the causes.
"""

import pytest

from diagnosis.content import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def kb(content):
    return build("nissan-qashqai", "trunk-wont-open").knowledge_bases["j11"]


def factor(kb, fault, symptom, answer="y"):
    """How much this answer multiplies the fault against another cause."""
    p = kb.p_yes(fault, symptom)
    p_other = kb.symptom(symptom).p_yes_otherwise
    return p / p_other if answer == "y" else (1 - p) / (1 - p_other)


def option(kb, fault, group, member):
    return kb.answer_distribution(fault, group)[member]


def test_a_battery_too_weak_for_the_lock_is_not_ruled_out_when_the_engine_starts(kb):
    # "Even if the engine starts without problems, the on-board voltage may not be enough"
    assert factor(kb, "car-battery-discharged", "car-electrics-weak", "n") >= 0.4
    assert factor(kb, "car-battery-discharged", "car-electrics-weak", "y") >= 5


def test_worn_key_contacts_keep_the_doors_working_and_a_new_key_battery_may_not_help(kb):
    # "the contacts inside may oxidize or wear out": the other buttons still work
    assert factor(kb, "key-fob-battery", "doors-lock-unlock-ok", "y") > factor(
        kb, "key-desynchronized", "doors-lock-unlock-ok", "y"
    )
    assert kb.p_yes("key-fob-battery", "fresh-key-battery-no-help") >= 0.3
    lid_works = option(
        kb, "key-fob-battery", "which-button-works", "key-button-dead-lid-button-works"
    )
    assert lid_works >= 0.8


def test_doors_that_work_raise_the_body_control_module(kb):
    # "The central door locking works, but the trunk remains closed"
    assert factor(kb, "bcm-software-glitch", "doors-lock-unlock-ok", "y") > 1.1
    assert factor(kb, "trunk-fuse-blown", "doors-lock-unlock-ok", "y") > 1.1
    assert factor(kb, "car-battery-discharged", "doors-lock-unlock-ok", "y") < 0.6


def test_the_dashboard_lock_error_belongs_to_the_lock_faults(kb):
    # FAQ: the error resets "after the malfunction is eliminated and several cycles of the lock"
    lock = min(
        kb.p_yes(fault, "dashboard-lock-error")
        for fault in ("lock-actuator-failed", "lock-contacts-oxidized", "lock-gears-jammed")
    )
    assert lock > kb.p_yes("bcm-software-glitch", "dashboard-lock-error")
    assert lock > kb.p_yes("key-desynchronized", "dashboard-lock-error")


def test_complete_silence_points_to_missing_power_not_to_the_lock_mechanism(kb):
    silent = {
        fault: option(kb, fault, "press-result", "no-sound-on-press")
        for fault in (
            "car-battery-discharged",
            "trunk-fuse-blown",
            "bcm-software-glitch",
            "lock-frozen",
            "lock-actuator-failed",
            "lock-gears-jammed",
            "release-cable-broken",
        )
    }
    power = min(
        silent["car-battery-discharged"], silent["trunk-fuse-blown"], silent["bcm-software-glitch"]
    )
    assert power > max(
        silent["lock-frozen"], silent["lock-actuator-failed"], silent["lock-gears-jammed"]
    )
    assert silent["release-cable-broken"] < 0.1  # "you can hear the click of the motor"


def test_forcing_a_frozen_lock_pairs_frost_with_the_cable_and_the_handle(kb):
    # "A frozen lock cannot be opened by force - this is guaranteed to lead to the cable
    # breaking or the handle breaking."
    assert factor(kb, "release-cable-broken", "freezing-temperature") > 1.5
    assert factor(kb, "handle-broken", "freezing-temperature") > 1.5


def test_exclusive_answers_are_one_question(kb):
    members = {m for g in kb.groups for m in g.members}
    assert {"no-sound-on-press", "motor-clicks-lid-stays"} <= members
    assert {"key-button-dead-lid-button-works", "key-button-works-lid-button-dead"} <= members
    assert {"handle-no-resistance", "handle-stiff"} <= members
    for fault in kb.faults:
        for group in kb.groups:
            assert sum(kb.answer_distribution(fault.key, group.key).values()) == pytest.approx(1)
