"""The article's cases, as a simulated owner would answer the wizard (shared by the scenario
tests and `bench/quality.py`).

Each case names a generation, the facts an owner standing at that car knows, and the causes
the article points to: `first` must rank first, and every cause in `top3` must be in the top
three. The owner answers what the wizard asks from these facts and "don't know" otherwise: for
a question with exclusive answers, the option whose member is "y", "none of these" when every
member is "n", else "don't know".
"""

from __future__ import annotations

from dataclasses import dataclass, field

MODEL, PROBLEM = "nissan-qashqai", "trunk-wont-open"
# The design's budget: a result within this many questions, for every case.
MAX_QUESTIONS = 8

SILENT = {"no-sound-on-press": "y", "motor-clicks-lid-stays": "n"}
CLICKS = {"no-sound-on-press": "n", "motor-clicks-lid-stays": "y"}
KEY_DEAD_LID_WORKS = {
    "key-button-dead-lid-button-works": "y",
    "key-button-works-lid-button-dead": "n",
}
KEY_WORKS_LID_DEAD = {
    "key-button-dead-lid-button-works": "n",
    "key-button-works-lid-button-dead": "y",
}
NEITHER_OPENS = {"key-button-dead-lid-button-works": "n", "key-button-works-lid-button-dead": "n"}
HANDLE_LOOSE = {"handle-no-resistance": "y", "handle-stiff": "n"}
HANDLE_STIFF = {"handle-no-resistance": "n", "handle-stiff": "y"}
HANDLE_NORMAL = {"handle-no-resistance": "n", "handle-stiff": "n"}
# What an owner standing at the car sees when nothing else is wrong: a case starts from this,
# and its own facts override it. Checks that need a tool, a fuse puller, a new key battery or
# a helper (voltage, fuse, fresh battery, pressing the lid) are known only where a case says.
AT_THE_CAR = {
    "car-electrics-weak": "n",
    "doors-lock-unlock-ok": "y",
    "key-not-detected": "n",
    "dashboard-lock-error": "n",
    "freezing-temperature": "n",
    "water-near-lock": "n",
    "handle-cracked": "n",
    "high-mileage-yanked": "n",
    **NEITHER_OPENS,
    **HANDLE_NORMAL,
}


@dataclass(frozen=True)
class Case:
    name: str
    generation: str
    facts: dict[str, str]
    first: str
    top3: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self):
        object.__setattr__(self, "top3", frozenset(self.top3) | {self.first})


def case(name, generation, first, *fact_sets, top3=(), at_the_car=True, **facts):
    """A case from the article: its facts over what an owner at the car sees
    (`at_the_car=False`: only the facts given, as the owner reported them)."""
    merged: dict[str, str] = dict(AT_THE_CAR) if at_the_car else {}
    for fact_set in fact_sets:
        merged.update(fact_set)
    merged.update({key.replace("_", "-"): value for key, value in facts.items()})
    return Case(name, generation, merged, first, frozenset(top3))


CASES = [
    # --- the 12 V battery ("most often"; "even if the engine starts")
    case(
        "J10: silent, weak electrics, key detected (as the owner reported it)",
        "j10",
        "car-battery-discharged",
        SILENT,
        car_electrics_weak="y",
        key_not_detected="n",
        at_the_car=False,
    ),
    case(
        "J12: silent, the engine starts fine, the central locking is dead too",
        "j12",
        "car-battery-discharged",
        SILENT,
        NEITHER_OPENS,
        car_electrics_weak="n",
        doors_lock_unlock_ok="n",
        key_not_detected="n",
    ),
    case(
        "J11: winter morning, dim lights, doors dead",
        "j11",
        "car-battery-discharged",
        SILENT,
        NEITHER_OPENS,
        car_electrics_weak="y",
        doors_lock_unlock_ok="n",
        freezing_temperature="y",
    ),
    case(
        "J11 facelift: slow start, silence",
        "j11-facelift",
        "car-battery-discharged",
        SILENT,
        car_electrics_weak="y",
        doors_lock_unlock_ok="n",
    ),
    # --- the key: its battery, or its worn trunk-button contacts
    case(
        "J11: key's button dead, lid handle works, key not detected (as the owner reported it)",
        "j11",
        "key-fob-battery",
        KEY_DEAD_LID_WORKS,
        key_not_detected="y",
        top3={"key-desynchronized"},
        at_the_car=False,
    ),
    case(
        "J12: key dead, doors do not answer the key, a fresh battery fixed it",
        "j12",
        "key-fob-battery",
        KEY_DEAD_LID_WORKS,
        SILENT,
        doors_lock_unlock_ok="n",
        key_not_detected="y",
        fresh_key_battery_no_help="n",
    ),
    case(
        "J11: worn key contacts: key's trunk button dead, lid works, doors fine, key detected, "
        "new battery no help",
        "j11",
        "key-fob-battery",
        KEY_DEAD_LID_WORKS,
        SILENT,
        doors_lock_unlock_ok="y",
        key_not_detected="n",
        fresh_key_battery_no_help="y",
    ),
    case(
        "J10: worn key contacts on an old key",
        "j10",
        "key-fob-battery",
        KEY_DEAD_LID_WORKS,
        doors_lock_unlock_ok="y",
        key_not_detected="n",
    ),
    # --- the key desynchronized
    case(
        "J12: key not recognized, a fresh battery does not help",
        "j12",
        "key-desynchronized",
        KEY_DEAD_LID_WORKS,
        SILENT,
        key_not_detected="y",
        fresh_key_battery_no_help="y",
        doors_lock_unlock_ok="n",
    ),
    case(
        "J11 facelift: security blocks the key, doors dead, new battery no help",
        "j11-facelift",
        "key-desynchronized",
        SILENT,
        NEITHER_OPENS,
        key_not_detected="y",
        fresh_key_battery_no_help="y",
        doors_lock_unlock_ok="n",
        car_electrics_weak="n",
    ),
    # --- the fuse
    case(
        "J11: silence, central locking works, fuse blown",
        "j11",
        "trunk-fuse-blown",
        SILENT,
        NEITHER_OPENS,
        doors_lock_unlock_ok="y",
        fuse_intact="n",
        car_electrics_weak="n",
    ),
    case(
        "J12: silence, doors fine, no voltage at the lock, fuse blown",
        "j12",
        "trunk-fuse-blown",
        SILENT,
        doors_lock_unlock_ok="y",
        voltage_at_lock="n",
        fuse_intact="n",
    ),
    # --- the body control module
    case(
        "J12: central locking works, trunk stays closed, fuse intact",
        "j12",
        "bcm-software-glitch",
        SILENT,
        NEITHER_OPENS,
        doors_lock_unlock_ok="y",
        fuse_intact="y",
        car_electrics_weak="n",
    ),
    case(
        "J11: after battery work, all electrics fine, silence, fuse intact",
        "j11",
        "bcm-software-glitch",
        SILENT,
        NEITHER_OPENS,
        car_electrics_weak="n",
        doors_lock_unlock_ok="y",
        fuse_intact="y",
        key_not_detected="n",
        voltage_at_lock="n",
    ),
    case(
        "J11 facelift: doors fine, silence, no frost, intact fuse",
        "j11-facelift",
        "bcm-software-glitch",
        SILENT,
        doors_lock_unlock_ok="y",
        fuse_intact="y",
        freezing_temperature="n",
        water_near_lock="n",
    ),
    # --- the release cable
    case(
        "J10: motor clicks, handle falls inward",
        "j10",
        "release-cable-broken",
        CLICKS,
        HANDLE_LOOSE,
    ),
    case(
        "J10: high mileage, lid always yanked, motor clicks",
        "j10",
        "release-cable-broken",
        CLICKS,
        high_mileage_yanked="y",
        top3={"lock-gears-jammed"},
    ),
    case(
        "J11: handle with no resistance after forcing a frozen lock",
        "j11",
        "release-cable-broken",
        CLICKS,
        HANDLE_LOOSE,
        freezing_temperature="y",
    ),
    case(
        "J12: the handle opens too easily, the lock clicks",
        "j12",
        "release-cable-broken",
        CLICKS,
        HANDLE_LOOSE,
        NEITHER_OPENS,
    ),
    # --- the lock: frozen
    case(
        "J11: frost after a car wash, lock whirrs, handle stiff",
        "j11",
        "lock-frozen",
        CLICKS,
        HANDLE_STIFF,
        freezing_temperature="y",
    ),
    case(
        "J12: frosty morning after rain, water at the seals",
        "j12",
        "lock-frozen",
        CLICKS,
        freezing_temperature="y",
        water_near_lock="y",
    ),
    case(
        "J10: freezing, stiff handle",
        "j10",
        "lock-frozen",
        HANDLE_STIFF,
        freezing_temperature="y",
        high_mileage_yanked="n",
    ),
    # --- the lock: actuator
    case(
        "J11: voltage at the lock but the motor does not spin",
        "j11",
        "lock-actuator-failed",
        SILENT,
        voltage_at_lock="y",
        freezing_temperature="n",
        water_near_lock="n",
        dashboard_lock_error="y",
        lid_press_releases="n",
    ),
    case(
        "J12: lock error on the dashboard, clicks, pressing the lid does nothing",
        "j12",
        "lock-actuator-failed",
        CLICKS,
        HANDLE_NORMAL,
        dashboard_lock_error="y",
        lid_press_releases="n",
        freezing_temperature="n",
        voltage_at_lock="y",
    ),
    # --- the lock: contacts oxidized
    case(
        "J11: water comes in past the seals, silence, doors fine",
        "j11",
        "lock-contacts-oxidized",
        SILENT,
        water_near_lock="y",
        freezing_temperature="n",
        doors_lock_unlock_ok="y",
        fuse_intact="y",
        dashboard_lock_error="y",
    ),
    case(
        "J11 facelift: damp at the lock, lock error, no frost",
        "j11-facelift",
        "lock-contacts-oxidized",
        water_near_lock="y",
        dashboard_lock_error="y",
        freezing_temperature="n",
    ),
    # --- the lock: drive gears
    case(
        "J11: motor whirrs, a sharp press on the lid frees it",
        "j11",
        "lock-gears-jammed",
        CLICKS,
        lid_press_releases="y",
        freezing_temperature="n",
        handle_no_resistance="n",
    ),
    case(
        "J10: high mileage, stiff lock, the lid press helps",
        "j10",
        "lock-gears-jammed",
        CLICKS,
        HANDLE_STIFF,
        lid_press_releases="y",
        freezing_temperature="n",
        high_mileage_yanked="y",
    ),
    # --- the handle
    case(
        "J10: cracked handle after cold weather, the key still opens",
        "j10",
        "handle-broken",
        KEY_WORKS_LID_DEAD,
        handle_cracked="y",
        freezing_temperature="y",
    ),
    case(
        "J11: the key opens it, the lid handle does nothing",
        "j11",
        "handle-broken",
        KEY_WORKS_LID_DEAD,
        handle_cracked="n",
    ),
    case(
        "J11 facelift: visibly cracked handle, only the key opens the trunk",
        "j11-facelift",
        "handle-broken",
        KEY_WORKS_LID_DEAD,
        handle_cracked="y",
    ),
    case(
        "J12: lid handle dead, key works, handle moves freely",
        "j12",
        "handle-broken",
        KEY_WORKS_LID_DEAD,
        HANDLE_LOOSE,
    ),
]


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


def owner_answer(question: dict, facts: dict[str, str]) -> str:
    """The tokens the simulated owner adds for the API's `next_question` (its `options`)."""
    options = question["options"]
    by_tokens = [dict(t.split(":") for t in o["answers"].split(",")) for o in options]
    if len(by_tokens[0]) == 1:  # a yes/no question
        (symptom,) = by_tokens[0]
        return f"{symptom}:{facts.get(symptom, 'u')}"
    for option, tokens in zip(options, by_tokens, strict=True):
        chosen = [s for s, v in tokens.items() if v == "y"]
        if chosen and facts.get(chosen[0]) == "y":
            return option["answers"]
    members = by_tokens[0]
    if all(facts.get(m) == "n" for m in members):
        return next(
            o["answers"]
            for o, t in zip(options, by_tokens, strict=True)
            if set(t.values()) == {"n"}
        )
    return next(
        o["answers"] for o, t in zip(options, by_tokens, strict=True) if set(t.values()) == {"u"}
    )


def play(get_json, case: Case, max_questions: int = 50) -> tuple[dict, list[str]]:
    """Answer the wizard's questions until it is done; returns the last answer and the
    questions asked. `get_json(params)` calls the API."""
    tokens: list[str] = []
    asked: list[str] = []
    while True:
        params = {"model": MODEL, "problem": PROBLEM, "generation": case.generation}
        if tokens:  # in their canonical order, as the wizard links (else a 301 to it)
            answers = ",".join(tokens).split(",")
            params["answers"] = ",".join(sorted(answers, key=lambda t: t.partition(":")[0]))
        data = get_json(params)
        if data["done"] or len(asked) >= max_questions:
            return data, asked
        question = data["next_question"]
        asked.append(question["symptom"])
        tokens.append(owner_answer(question, case.facts))
