"""Each sign the article names leads to its cause in a few questions.

A simulated owner answers the questions the API asks, truthfully where the scenario knows the
answer and "don't know" otherwise; after at most seven questions the expected cause is first.
"""

import pytest

pytestmark = pytest.mark.django_db

MAX_QUESTIONS = 7


def diagnose_by_asking(client, facts: dict[str, str], generation: str = "j11") -> tuple[dict, list]:
    answers: dict[str, str] = {}
    asked = []
    while True:
        encoded = ",".join(f"{s}:{v}" for s, v in answers.items())
        response = client.get(
            "/api/v1/diagnose",
            {
                "model": "nissan-qashqai",
                "problem": "trunk-wont-open",
                "generation": generation,
                "answers": encoded,
            },
        )
        assert response.status_code == 200, response.content
        data = response.json()
        if data["done"] or len(asked) == MAX_QUESTIONS:
            return data, asked
        symptom = data["next_question"]["symptom"]
        assert symptom not in answers
        asked.append(symptom)
        answers[symptom] = facts.get(symptom, "u")


def top_cause(client, facts, generation="j11"):
    data, asked = diagnose_by_asking(client, facts, generation)
    return data["candidates"][0]["fault"], asked


def test_dead_battery_when_electrics_are_weak_and_all_is_silent(client, content):
    facts = {"car-electrics-weak": "y", "no-sound-on-press": "y", "doors-lock-unlock-ok": "n"}
    assert top_cause(client, facts)[0] == "car-battery-discharged"


def test_key_fob_battery_when_key_button_is_dead_and_key_is_not_detected(client, content):
    facts = {
        "key-button-dead-lid-button-works": "y",
        "key-not-detected": "y",
        "doors-lock-unlock-ok": "n",
        "car-electrics-weak": "n",
        "fresh-key-battery-no-help": "n",
    }
    assert top_cause(client, facts)[0] == "key-fob-battery"


def test_desynchronized_key_when_a_fresh_key_battery_does_not_help(client, content):
    facts = {
        "key-button-dead-lid-button-works": "y",
        "dashboard-lock-error": "y",
        "fresh-key-battery-no-help": "y",
        "car-electrics-weak": "n",
    }
    assert top_cause(client, facts, "j12")[0] == "key-desynchronized"


def test_fuse_when_silent_doors_fine_and_no_voltage_at_the_lock(client, content):
    facts = {
        "no-sound-on-press": "y",
        "doors-lock-unlock-ok": "y",
        "voltage-at-lock": "n",
        "car-electrics-weak": "n",
        "freezing-temperature": "n",
    }
    assert top_cause(client, facts)[0] == "trunk-fuse-blown"


def test_bcm_glitch_when_silent_with_a_dashboard_error_and_an_intact_fuse(client, content):
    facts = {
        "no-sound-on-press": "y",
        "doors-lock-unlock-ok": "y",
        "dashboard-lock-error": "y",
        "fuse-intact": "y",
        "car-electrics-weak": "n",
        "freezing-temperature": "n",
    }
    assert top_cause(client, facts, "j12")[0] == "bcm-software-glitch"


def test_cable_when_the_handle_has_no_resistance_and_the_motor_clicks(client, content):
    facts = {"handle-no-resistance": "y", "motor-clicks-lid-stays": "y", "high-mileage-yanked": "y"}
    assert top_cause(client, facts, "j10")[0] == "release-cable-broken"


def test_frozen_lock_ranks_first_when_freezing_and_silent(client, content):
    facts = {"freezing-temperature": "y", "no-sound-on-press": "y", "handle-no-resistance": "n"}
    assert top_cause(client, facts)[0] == "lock-frozen"


def test_lock_actuator_when_there_is_voltage_but_no_motor(client, content):
    facts = {
        "voltage-at-lock": "y",
        "no-sound-on-press": "y",
        "doors-lock-unlock-ok": "y",
        "freezing-temperature": "n",
        "car-electrics-weak": "n",
    }
    assert top_cause(client, facts)[0] == "lock-actuator-failed"


def test_oxidized_contacts_when_water_gets_near_the_lock(client, content):
    facts = {"water-near-lock": "y", "freezing-temperature": "n", "doors-lock-unlock-ok": "y"}
    assert top_cause(client, facts)[0] == "lock-contacts-oxidized"


def test_jammed_gears_when_pressing_the_lid_helps_and_the_motor_clicks(client, content):
    facts = {
        "lid-press-releases": "y",
        "motor-clicks-lid-stays": "y",
        "handle-no-resistance": "n",
        "freezing-temperature": "n",
    }
    assert top_cause(client, facts)[0] == "lock-gears-jammed"


def test_broken_handle_when_it_is_visibly_cracked(client, content):
    facts = {"handle-cracked": "y", "key-button-dead-lid-button-works": "n"}
    assert top_cause(client, facts, "j10")[0] == "handle-broken"


@pytest.mark.parametrize("generation", ["j10"])
def test_old_cars_start_with_mechanical_causes(client, content, generation):
    data = client.get(
        "/api/v1/diagnose",
        {"model": "nissan-qashqai", "problem": "trunk-wont-open", "generation": generation},
    ).json()
    top_two = {c["fault"] for c in data["candidates"][:2]}
    assert top_two == {"release-cable-broken", "handle-broken"}


def test_new_cars_start_with_electronic_causes(client, content):
    data = client.get(
        "/api/v1/diagnose",
        {"model": "nissan-qashqai", "problem": "trunk-wont-open", "generation": "j12"},
    ).json()
    electronic = {
        "car-battery-discharged",
        "key-fob-battery",
        "key-desynchronized",
        "trunk-fuse-blown",
        "bcm-software-glitch",
    }
    assert {c["fault"] for c in data["candidates"][:3]} <= electronic


def test_year_stands_for_its_generation(client, content):
    by_year = client.get(
        "/api/v1/diagnose",
        {"model": "nissan-qashqai", "problem": "trunk-wont-open", "year": "2019"},
    ).json()
    assert by_year["generation"] == "j11-facelift"
