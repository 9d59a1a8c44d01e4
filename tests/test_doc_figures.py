"""Figures the docs state about the shipped content, each recomputed here from that content.

docs/content.md, "Resulting starting probabilities": change the content's rates or priors
and this fails until the table is updated with it.
"""

import pytest

from diagnosis import engine
from diagnosis.content import compiled_problem

pytestmark = pytest.mark.django_db

ELECTRONICS = (
    "car-battery-discharged",
    "key-fob-battery",
    "key-desynchronized",
    "trunk-fuse-blown",
    "bcm-software-glitch",
)
LOCK = ("lock-frozen", "lock-actuator-failed", "lock-contacts-oxidized", "lock-gears-jammed")
MECHANICAL = ("release-cable-broken", "handle-broken")

# generation → (each electronics fault, each mechanical fault, each lock fault), in % rounded
STARTING_PERCENT = {
    "j10": (5, 16, 11),
    "j11": (8, 8, 12),
    "j11-facelift": (8, 8, 12),
    "j12": (12, 4, 8),
}


@pytest.mark.parametrize("code", STARTING_PERCENT)
def test_starting_probabilities_of_trunk_wont_open_are_as_documented(content, code):
    compiled = compiled_problem("nissan-qashqai", "trunk-wont-open")
    start = engine.posterior(compiled.knowledge_bases[code], {})
    assert set(start) == set(ELECTRONICS + LOCK + MECHANICAL)
    electronics, mechanical, lock = STARTING_PERCENT[code]
    percent = {fault: round(p * 100) for fault, p in start.items()}
    assert {percent[f] for f in ELECTRONICS} == {electronics}, percent
    assert {percent[f] for f in MECHANICAL} == {mechanical}, percent
    assert {percent[f] for f in LOCK} == {lock}, percent


@pytest.mark.parametrize(
    "url",
    [
        "/nissan-qashqai/trunk-wont-open/diagnose/?generation=j11&answers=no-sound-on-press:y",
        "/api/v1/diagnose?model=nissan-qashqai&problem=trunk-wont-open&generation=j11",
    ],
)
def test_steps_and_api_answers_are_public_for_300_seconds_and_vary_on_htmx(client, content, url):
    # docs/decisions.md: the URL is the whole state, so browsers and proxies may keep it.
    response = client.get(url)
    assert response.status_code == 200
    assert set(response["Cache-Control"].replace(" ", "").split(",")) == {
        "public",
        "max-age=300",
    }
    if "/diagnose/" in url:  # the page, not the JSON, depends on the htmx headers
        vary = {v.strip() for v in response["Vary"].split(",")}
        assert {"HX-Request", "HX-History-Restore-Request"} <= vary
