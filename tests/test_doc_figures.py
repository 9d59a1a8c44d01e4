"""Figures the docs state about the shipped content, each recomputed here from that content.

docs/content.md, "Starting probabilities": change the content's rates or priors
and this fails until the table is updated with it.
"""

import re
from pathlib import Path

import pytest

from diagnosis import engine
from diagnosis.content import compiled_problem
from kb.models import Fault

pytestmark = pytest.mark.django_db

CONTENT_GUIDE = Path(__file__).resolve().parent.parent / "docs" / "content.md"
# A row of the guide's table: | `fault` | type | share | J10 % | J11 % | J12 % |
ROW = re.compile(
    r"^\| `(?P<fault>[a-z0-9-]+)` \| (?P<type>[a-z-]+) \| (?P<share>[0-9.]+) \| "
    r"(?P<j10>[0-9.]+)% \| (?P<j11>[0-9.]+)% \| (?P<j12>[0-9.]+)% \|$",
    re.M,
)


def documented_starting_table() -> dict[str, dict[str, str]]:
    return {m["fault"]: m.groupdict() for m in ROW.finditer(CONTENT_GUIDE.read_text())}


@pytest.mark.parametrize(
    ("code", "column"), [("j10", "j10"), ("j11", "j11"), ("j11-facelift", "j11"), ("j12", "j12")]
)
def test_starting_probabilities_of_trunk_wont_open_are_as_documented(content, code, column):
    table = documented_starting_table()
    compiled = compiled_problem("nissan-qashqai", "trunk-wont-open")
    start = engine.posterior(compiled.knowledge_bases[code], {})
    assert set(table) == set(start)
    for fault, p in start.items():
        assert f"{p:.1%}" == f"{table[fault][column]}%", fault
    shares = dict(
        Fault.objects.filter(problem__slug="trunk-wont-open").values_list("slug", "share")
    )
    assert {fault: float(row["share"]) for fault, row in table.items()} == shares


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
