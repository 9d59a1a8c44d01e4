"""Provenance: what the shipped content takes from the article, and what owners see as estimates.

The article is kept beside the content (docs/sources/). Every value marked "article" and every
sign of a fault is listed here with the article's own words; a quote that is not in the article,
or a value marked "article" that is not listed, fails.
"""

import re
from pathlib import Path

import pytest

from kb.models import FaqEntry, Fault, Problem, Procedure, SafetyWarning, Source, Step
from tests.step_state import outcome_of

pytestmark = pytest.mark.django_db

ARTICLE_FILE = (
    Path(__file__).resolve().parent.parent / "docs" / "sources" / "nissan-qashqai-trunk.txt"
)
ARTICLE = " ".join(ARTICLE_FILE.read_text().split())

# Each procedure's article sentence: the article names it (even where the steps are the editor's).
ARTICLE_PROCEDURES = {
    "check-car-battery": "is to check the condition battery",
    "replace-key-battery": "Try replacing the battery in the remote control or using a mechanical button",
    "shock-therapy-press-the-lid": "sharply pressing the trunk lid while trying to open it",
    "check-trunk-fuse": "Find the fuse box in the passenger compartment and check the corresponding element",
    "thaw-frozen-lock": "only warming up the lock area with warm air or using special antifreeze aerosols",
    "reset-bcm": "disconnecting the battery terminal for 10-15 minutes",
    "lubricate-and-maintain-lock": "Once every six months it is recommended to clean the lock",
    "open-trunk-from-passenger-compartment": "there is a hatch in the seatback",
    "test-lock-with-multimeter": "Diagnostics requires a multimeter to check the voltage at the lock contacts",
    "rebind-smart-key": "requires rebinding the key through a diagnostic scanner",
    "replace-trunk-handle": "To replace the handle, you must remove the trunk lid trim",
    "replace-release-cable": "replacing this part will require removing the trunk lid trim",
    "replace-electromagnetic-lock": "it is necessary to replace the electromagnetic lock",
    "reflash-bcm-at-dealer": "reflash the control unit through the dealer diagnostic computer",
    "adjust-latch-striker": "Check latch adjustment",
    "check-lid-lift-springs": "Check latch adjustment and spring condition",
}
# The only time and the only prices the article gives.
ARTICLE_TIMES = {"replace-electromagnetic-lock": "Replacement work takes about 1-2 hours"}
ARTICLE_PRICES = {
    "replace-electromagnetic-lock": "The original can cost from 15,000 to 25,000 rubles, the analogue "
    "- from 5,000 to 10,000 rubles. Replacement work takes about 1-2 hours and costs an additional "
    "3,000-5,000 rubles."
}
# Steps whose action and claims are all the article's: (procedure, number) -> the article's words.
ARTICLE_STEPS = {
    (
        "check-car-battery",
        3,
    ): "either charge the battery or connect an external power source to the terminals under the hood",
    ("check-car-battery", 5): "works even when the battery is completely discharged",
    ("replace-key-battery", 1): "using a mechanical button on the car body",
    ("replace-key-battery", 3): "Try replacing the battery in the remote control",
    ("replace-key-battery", 5): "which requires rebinding the key through a diagnostic scanner",
    ("shock-therapy-press-the-lid", 1): "while trying to open it",
    ("shock-therapy-press-the-lid", 2): "sharply pressing the trunk lid while trying to open it",
    ("check-trunk-fuse", 2): "Find the fuse box in the passenger compartment",
    ("check-trunk-fuse", 3): "check the corresponding element according to the diagram",
    ("thaw-frozen-lock", 1): "A frozen lock cannot be opened by force",
    ("thaw-frozen-lock", 2): "warming up the lock area with warm air",
    ("thaw-frozen-lock", 3): "using special antifreeze aerosols",
    ("thaw-frozen-lock", 4): "Always warm up the mechanism before attempting to open it",
    (
        "thaw-frozen-lock",
        5,
    ): "Use only special aerosol lubricants for car locks, such as graphite or silicone",
    ("reset-bcm", 2): "disconnecting the battery terminal",
    ("reset-bcm", 3): "for 10-15 minutes",
    ("reset-bcm", 4): "the system will reboot and the control units will be reinitialized",
    ("reset-bcm", 5): "Be prepared to have to set them up again",
    (
        "reset-bcm",
        6,
    ): "you may need to reflash the control unit through the dealer diagnostic computer",
    (
        "lubricate-and-maintain-lock",
        1,
    ): "Cleaning the mechanism from dust and dirt with a soft brush",
    ("lubricate-and-maintain-lock", 2): "Applying lubricant for locks in winter",
    (
        "lubricate-and-maintain-lock",
        3,
    ): "Checking the integrity of the cable and fixing the fasteners",
    ("lubricate-and-maintain-lock", 4): "check the condition of the seals around the lock",
    (
        "lubricate-and-maintain-lock",
        5,
    ): "Regularly checking the operation of the button on the key and the mechanical handle",
    ("open-trunk-from-passenger-compartment", 1): "you must first fold down the rear seats",
    (
        "open-trunk-from-passenger-compartment",
        2,
    ): "a hatch in the seatback that leads to the luggage compartment",
    ("open-trunk-from-passenger-compartment", 3): "Inside you will see the lock mechanism",
    (
        "open-trunk-from-passenger-compartment",
        4,
    ): "hidden under a plastic cover that needs to be carefully pryed off",
    (
        "open-trunk-from-passenger-compartment",
        5,
    ): "a special tab or lever that you must pull or twist to release the latch",
    ("open-trunk-from-passenger-compartment", 6): "remove the rear parcel shelf",
    ("open-trunk-from-passenger-compartment", 7): "you will need to replace the faulty part",
    (
        "test-lock-with-multimeter",
        4,
    ): "If there is voltage, but the motor does not spin, the lock is faulty",
    ("rebind-smart-key", 1): "Try replacing the battery in the remote control",
    ("rebind-smart-key", 3): "rebinding the key through a diagnostic scanner",
    ("replace-trunk-handle", 1): "Do not try to forcefully pull the trunk handle",
    ("replace-trunk-handle", 2): "held on by plastic clips, which need to be carefully pryed off",
    ("replace-trunk-handle", 3): "Disconnect the old cable, unscrew the handle fasteners",
    ("replace-trunk-handle", 4): "install the new part",
    ("replace-trunk-handle", 5): "make sure the cable is tensioned correctly",
    ("replace-release-cable", 1): "opening the trunk through the rear seat",
    ("replace-release-cable", 2): "removing the trunk lid trim",
    ("replace-release-cable", 4): "replacing this part",
    ("replace-release-cable", 5): "If the tension is too weak, the handle will move freely",
    (
        "replace-electromagnetic-lock",
        1,
    ): "If there is voltage, but the motor does not spin, the lock is faulty",
    (
        "replace-electromagnetic-lock",
        2,
    ): "open the trunk through the passenger compartment by folding down the rear seats",
    ("replace-electromagnetic-lock", 5): "a new original or high-quality analogue",
    ("reflash-bcm-at-dealer", 2): "They will be able to check error logs",
    ("reflash-bcm-at-dealer", 3): "update the software to the latest version",
    ("reflash-bcm-at-dealer", 4): "a diagnostic reset",
}
# Each fault's signs, in order, with the article's words for each.
ARTICLE_SIGNS = {
    "car-battery-discharged": [
        (
            "Nothing happens when you press the key's trunk button or the lid handle",
            "when you press a button on the key or on the handle itself and nothing happens",
        ),
        (
            "Complete silence when you press the open button: no relay click",
            "Complete silence when pressing the open button (no relay click)",
        ),
        (
            "The central locking does not work either",
            "a dead battery blocks the operation of the central locking",
        ),
    ],
    "key-fob-battery": [
        (
            "The key's trunk button does not respond, but the lid handle works, if stiffly",
            "The button on the key does not respond, but the mechanical handle works hard",
        ),
    ],
    "key-desynchronized": [
        (
            "The key's trunk button does not respond, but the lid handle works, if stiffly",
            "The button on the key does not respond, but the mechanical handle works hard",
        ),
    ],
    "trunk-fuse-blown": [
        (
            "Complete silence when you press the open button: no relay click",
            "Complete silence when pressing the open button (no relay click)",
        ),
        (
            "The central locking works, but the trunk stays closed",
            "The central door locking works, but the trunk remains closed",
        ),
        (
            "The battery supplies power, but the lock does not work",
            "power is being supplied, but the drive does not operate, there may be a problem with the fuse",
        ),
    ],
    "bcm-software-glitch": [
        (
            "The lock stops responding to commands, although all the electrical circuits work",
            "the lock may stop responding to commands, although all electrical circuits are working properly",
        ),
        (
            "Complete silence when you press the open button: no relay click",
            "Complete silence when pressing the open button (no relay click)",
        ),
        (
            "The central locking works, but the trunk stays closed",
            "The central door locking works, but the trunk remains closed",
        ),
    ],
    "release-cable-broken": [
        (
            "The lid handle opens too easily, without effort",
            "The handle opens too easily and without effort",
        ),
        (
            "When you press the key's trunk button you hear the motor click, but the lid does not move",
            "When you press the button on the key, you can hear the click of the motor, but the lid does not move",
        ),
        (
            "The cable has come off the lever of the mechanism inside the lid",
            "The cable has become disconnected from the mechanism lever inside the cover",
        ),
        (
            "The lid handle falls inward without any resistance, but the lock does not move",
            "the handle on the trunk lid will fall inward without any resistance, but the lock mechanism itself will not budge",
        ),
    ],
    "lock-frozen": [
        ("Freezing of the mechanism in winter", "Freezing of the mechanism in winter"),
        (
            "The lock does not respond to the open button: frozen solid, it cannot be moved electrically",
            "turning into a monolith that is not susceptible to electrical influence",
        ),
    ],
    "lock-actuator-failed": [
        (
            "Voltage at the lock's contacts while the open button is pressed, but the motor does not turn",
            "If there is voltage, but the motor does not spin, the lock is faulty",
        ),
    ],
    "lock-contacts-oxidized": [
        (
            "Oxidation of the contacts from water coming in through the seals",
            "Oxidation of contacts due to water entering through seals",
        ),
    ],
    "lock-gears-jammed": [
        (
            "Jamming of the drive gears for lack of lubrication",
            "Jamming of drive gears due to lack of lubrication",
        ),
        (
            "A sharp press on the lid while opening sometimes frees it",
            "sharply pressing the trunk lid while trying to open it can help move the soured mechanism",
        ),
        (
            "The mechanism jams or moves stiffly",
            "signs of jamming or stiff movement of the mechanism",
        ),
    ],
    "handle-broken": [
        (
            "The plastic lid handle is cracked, especially in the cold season",
            "becomes brittle and cracks over time. This is especially noticeable in the cold season",
        ),
        (
            "The lid handle no longer moves the cable or no longer closes its contact",
            "which does not transmit force to the cable or does not close the contact",
        ),
    ],
    "latch-misadjusted": [
        (
            "The trunk opens but immediately slams shut",
            "Why does the trunk open but immediately slam shut?",
        ),
    ],
    "lid-springs-worn": [
        (
            "The trunk opens but immediately slams shut",
            "Why does the trunk open but immediately slam shut?",
        ),
    ],
    "closure-sensor-faulty": [
        (
            "The trunk opens but immediately slams shut",
            "Why does the trunk open but immediately slam shut?",
        ),
    ],
}


def in_article(words: str) -> bool:
    return " ".join(words.split()) in ARTICLE


def test_every_quote_here_is_the_articles_own_words():
    quotes = [
        *ARTICLE_PROCEDURES.values(),
        *ARTICLE_TIMES.values(),
        *ARTICLE_PRICES.values(),
        *ARTICLE_STEPS.values(),
        *(quote for signs in ARTICLE_SIGNS.values() for _, quote in signs),
    ]
    assert [quote for quote in quotes if not in_article(quote)] == []


def test_article_sourced_procedures_and_steps_are_exactly_the_listed_ones(content):
    procedures = Procedure.objects.filter(vehicle_model__slug="nissan-qashqai")
    assert set(procedures.filter(source=Source.ARTICLE).values_list("slug", flat=True)) == set(
        ARTICLE_PROCEDURES
    )
    steps = Step.objects.filter(procedure__in=procedures, source=Source.ARTICLE)
    assert set(steps.values_list("procedure__slug", "number")) == set(ARTICLE_STEPS)


def test_only_the_lock_replacement_time_and_prices_come_from_the_article(content):
    procedures = Procedure.objects.filter(vehicle_model__slug="nissan-qashqai")
    assert set(procedures.filter(time_source=Source.ARTICLE).values_list("slug", flat=True)) == set(
        ARTICLE_TIMES
    )
    assert set(procedures.filter(cost_source=Source.ARTICLE).values_list("slug", flat=True)) == set(
        ARTICLE_PRICES
    )
    lock = Procedure.objects.get(slug="replace-electromagnetic-lock")
    assert (lock.time_min_minutes, lock.time_max_minutes) == (60, 120)
    assert not lock.time_is_estimate and not lock.costs_are_estimate and lock.has_costs
    # The editor's estimates of time: every other procedure, among them the striker's.
    assert Procedure.objects.get(slug="adjust-latch-striker").time_is_estimate


def test_the_editors_own_steps_are_estimates(content):
    def source(procedure, number):
        return Step.objects.get(procedure__slug=procedure, number=number).source

    assert source("adjust-latch-striker", 4) == Source.ESTIMATE  # moving the striker
    assert source("check-lid-lift-springs", 4) == Source.ESTIMATE  # replace struts in pairs
    assert source("check-car-battery", 2) == Source.ESTIMATE  # 12.6 V / 12.2 V
    assert source("test-lock-with-multimeter", 3) == Source.ESTIMATE  # around 12 V
    assert Procedure.objects.get(slug="check-closure-sensor").is_estimate


def test_each_fault_lists_only_the_articles_signs(content):
    faults = Fault.objects.filter(problem__vehicle_model__slug="nissan-qashqai")
    assert set(faults.values_list("slug", flat=True)) == set(ARTICLE_SIGNS)
    for fault in faults:
        assert fault.sign_list() == [sign for sign, _ in ARTICLE_SIGNS[fault.slug]], fault.slug


# --- every fact, price and warning of the article is in the content ---------------------------

# The article's facts, in the content's words (a rewording must keep each of them).
ARTICLE_FACTS = [
    # prices and times
    "15,000–25,000 RUB",
    "5,000–10,000 RUB",
    "3,000–5,000 RUB",
    "about 1–2 hours",
    "10–15 minutes",
    "once every six months",
    # the battery and the key
    "Even if the engine starts without problems",
    "blocks the central locking",
    "terminals under the hood",
    "the contacts inside may oxidize or wear out",
    "lost synchronization",
    "bound to the car again with a diagnostic scanner",
    # fuse and BCM
    "fuse box in the passenger compartment",
    "against the diagram",
    "body control module (BCM)",
    "although all the electrical circuits are working properly",
    "the system reboots and the control units are reinitialized",
    "reflashing with the dealer's diagnostic computer",
    "check the error logs and update the software to the latest version",
    # cable and handle
    "stretch over time or snap under load",
    "high-mileage cars",
    "without waiting for the electric motor to finish unlocking",
    "falls inward without any resistance",
    "best left to professionals or done with a special tool",
    "becomes brittle and cracks over time",
    "when plastic loses its elasticity",
    "Too slack, and the handle moves freely and the lock does not open",
    "too tight, and the mechanism wears quickly",
    "Adjust the cable length if the design allows it",
    "Set of flat screwdrivers for removing the clips",
    "Socket wrenches for the fastening bolts",
    "New handle assembly or a separate release cable",
    # the lock
    "keeps the lid closed until it receives a signal from the control unit",
    "moisture or dirt",
    "freeze into a solid block",
    "de-icing (antifreeze) aerosol",
    "the electromagnet can burn out",
    "If there is voltage but the motor does not turn, the lock is faulty",
    "Freezing of the mechanism in winter",
    "Oxidation of the contacts from water coming in through the seals",
    "Jamming of the drive gears for lack of lubrication",
    "“shock therapy”",
    "the problem will soon return",
    # emergency access
    "hatch in the seatback",
    "remove the headrests or unfasten the seat belts",
    "special tab or lever",
    "Make sure you can physically fit",
    "Use a flashlight to find the lock mechanism in the dark",
    "Place a soft cloth under the tools",
    "works even when the battery is completely discharged",
    "rear parcel shelf",
    "take off the trunk lid trim from the outside",
    "(the cable, the lock or the lid handle)",
    # prevention, FAQ, used cars
    "graphite or silicone",
    "Ordinary oil or WD-40 attracts dirt and thickens over time",
    "check the seals around the lock",
    "several times in a row",
    "common myth",
    "fuel filler door",
    "badly adjusted latch striker",
    "worn lid lift springs",
    "closure sensor",
    "disconnecting the battery terminal for a longer time",
    "Older cars more often have broken mechanical parts such as cables and handles",
    "more problems with electronics and software",
]
ARTICLE_WARNINGS = {
    "do-not-force-the-handle": ["plastic trim fasteners", "paint"],
    "reset-loses-settings": ["the time on the clock, the radio settings or the seat memory"],
    "never-force-a-frozen-lock": ["guaranteed to break the cable or the handle", "warm up"],
}


def owner_facing_text() -> str:
    parts = []
    for problem in Problem.objects.all():
        parts += [problem.summary, problem.introduction, problem.buyer_advice]
    for fault in Fault.objects.all():
        parts += [fault.name, fault.summary, fault.description, fault.signs]
    for procedure in Procedure.objects.all():
        parts += [procedure.title, procedure.summary, procedure.introduction, procedure.tools]
        parts += [procedure.tips, procedure.interval]
    for step in Step.objects.all():
        parts += [step.title, step.text]
    for entry in FaqEntry.objects.all():
        parts += [entry.question, entry.answer]
    return " ".join(" ".join(parts).split())


def test_every_fact_and_price_of_the_article_is_in_the_content(content):
    text = owner_facing_text().lower()
    assert [fact for fact in ARTICLE_FACTS if fact.lower() not in text] == []


def test_the_articles_three_warnings_keep_their_facts(content):
    for slug, facts in ARTICLE_WARNINGS.items():
        warning = SafetyWarning.objects.get(slug=slug)
        assert all(fact in warning.text for fact in facts), slug


def test_one_name_for_one_part_and_us_english(content):
    text = owner_facing_text()
    leftovers = [
        "soured", "castle", "sunroof", "restyling", "clamp on the body", "number plate",
        "spanner", "prise", "colour", "centre", "metres", "rubles", "luggage compartment",
        "button on the lid", "handle on the lid", "button on the key", "outer handle",
        "analogue", "head restraint", "jump leads", "cotton bud",
    ]  # fmt: skip
    assert [word for word in leftovers if re.search(rf"\b{word}", text, re.I)] == []
    intro = Problem.objects.get(slug="trunk-wont-open").introduction
    assert "The lid handle is the grip on the trunk lid above the license plate" in intro
    assert "The key's trunk button is the trunk button on the Smart Key" in intro


# --- what owners see ---------------------------------------------------------------------------

LABEL = '<span class="estimate">estimate</span>'


def facts_of(html: str) -> dict[str, str]:
    """The procedure's facts box: dt text -> dd HTML."""
    box = re.search(r'<dl class="facts">(.*?)</dl>', html, re.S).group(1)
    return dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", box, re.S))


def test_an_estimated_time_shows_the_label_and_the_page_explains_it_once(client, content):
    html = client.get("/nissan-qashqai/procedures/check-car-battery/").content.decode()
    assert LABEL in facts_of(html)["Time"]
    assert html.count('class="estimate-note"') == 1
    steps = dict(re.findall(r'<li id="step-(\d+)">\s*<h3>(.*?)</h3>', html, re.S))
    assert LABEL in steps["2"]  # the editor's voltages
    assert LABEL not in steps["3"]  # the article's "charge it or power the terminals"


def test_the_lock_replacements_time_and_prices_from_the_article_have_no_label(client, content):
    html = client.get("/nissan-qashqai/procedures/replace-electromagnetic-lock/").content.decode()
    facts = facts_of(html)
    for name in ["Time", "Original part", "Aftermarket part", "Labor"]:
        assert LABEL not in facts[name], name
    assert "15,000–25,000\xa0RUB" in facts["Original part"]


def test_an_estimated_procedure_is_labeled_where_it_is_listed(client, content):
    html = client.get("/nissan-qashqai/procedures/check-closure-sensor/").content.decode()
    kicker = re.search(r'<p class="kicker">(.*?)</p>', html, re.S).group(1)
    assert LABEL in kicker
    html = client.get("/nissan-qashqai/trunk-opens-then-closes/").content.decode()
    item = re.search(r'procedures/check-closure-sensor/">[^<]*</a>(.*?)</p>', html, re.S).group(1)
    assert LABEL in item


def test_problem_and_fault_pages_label_estimated_times_but_not_the_article_prices(client, content):
    for url in [
        "/nissan-qashqai/trunk-wont-open/",
        "/nissan-qashqai/trunk-wont-open/faults/lock-actuator-failed/",
    ]:
        html = client.get(url).content.decode()
        metas = dict(
            re.findall(r'procedures/([^/]+)/">.*?</a>.*?<p class="meta">(.*?)</p>', html, re.S)
        )
        assert LABEL not in metas["replace-electromagnetic-lock"], url
        assert LABEL in metas["test-lock-with-multimeter"], url
        assert html.count('class="estimate-note"') == 1, url


def test_wizard_result_cards_label_estimates_only(client, content):
    from kb.models import Symptom

    slugs = Symptom.objects.filter(problem__slug="trunk-wont-open").values_list("slug", flat=True)
    facts = {"voltage-at-lock": "y", "no-sound-on-press": "y", "motor-clicks-lid-stays": "n"}
    # nothing left to ask; in the canonical order (by slug), as the wizard links
    answers = ",".join(f"{slug}:{facts.get(slug, 'u')}" for slug in sorted(slugs))
    response = client.get(
        "/nissan-qashqai/trunk-wont-open/diagnose/", {"generation": "j11", "answers": answers}
    )
    assert outcome_of(response).done
    html = response.content.decode()
    cards = re.findall(r'<details class="procedure".*?</details>', html, re.S)
    lock = next(card for card in cards if "Replace the electromagnetic trunk lock" in card)
    test = next(card for card in cards if "Test the trunk lock with a multimeter" in card)
    assert LABEL not in "".join(re.findall(r"<dd>(.*?)</dd>", lock))
    assert LABEL in re.search(r"<dt>Time</dt><dd>(.*?)</dd>", test).group(1)
    assert LABEL in lock  # its editor's steps (the trim, the test before closing)
    assert html.count('class="estimate-note"') == 1
