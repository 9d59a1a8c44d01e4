"""Valid HTML: the W3C Nu checker finds 0 errors on every sitemap page and on wizard steps.

The checker is the `vnu-jar` npm package run with the system Java. `make vnu` installs it
into `.tools/npm/` (git-ignored); `VNU_JAR` points elsewhere. Without Java or the jar the test
is skipped with the reason, unless REQUIRE_VNU=1 (as in CI), which makes it fail instead.
Pages are rendered with the test client, written to files, and checked in one Java run
(starting the JVM is most of the cost).
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.test_seo import sitemap_paths

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent
VNU_JAR = Path(
    os.environ.get("VNU_JAR", BASE_DIR / ".tools/npm/node_modules/vnu-jar/build/dist/vnu.jar")
)
DIAGNOSE = "/nissan-qashqai/trunk-wont-open/diagnose/"
# A sample of wizard steps: the generation choice, a first question, a step with answers to
# change, a finished result with its procedures, a step with a bad part in the link.
WIZARD_STEPS = [
    DIAGNOSE,
    f"{DIAGNOSE}?generation=j11",
    f"{DIAGNOSE}?generation=j10&answers=no-sound-on-press:y",
    # answers in their canonical order (by slug); another order is a 301 to it
    f"{DIAGNOSE}?generation=j11&answers=freezing-temperature:y,lid-heavy-or-sinks:u,"
    "no-sound-on-press:n",
    f"{DIAGNOSE}?generation=j11-facelift&answers=car-electrics-weak:n,doors-lock-unlock-ok:y,"
    "fuse-intact:n,key-not-detected:n,no-sound-on-press:y,voltage-at-lock:n",
    f"{DIAGNOSE}?generation=j11&answers=not-a-symptom:y,no-sound-on-press:maybe",
]


def checker() -> list[str]:
    """The checker's command line; skipped (failed when REQUIRE_VNU=1, as in CI) without it."""
    java = shutil.which("java")
    missing = None
    if not java:
        missing = (
            "Java is not installed: the Nu HTML checker needs it (apt-get install default-jre)"
        )
    elif not VNU_JAR.is_file():
        missing = f"the Nu HTML checker is not installed at {VNU_JAR}: run `make vnu`"
    if missing:
        if os.environ.get("REQUIRE_VNU") == "1":
            pytest.fail(f"REQUIRE_VNU=1 but {missing}")
        pytest.skip(missing)
    return [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--exit-zero-always"]


def render(client, path: str, headers: dict | None = None) -> bytes:
    response = client.get(path, headers=headers or {})
    assert response.status_code in (200, 400), (path, response.status_code)
    return response.content


def checker_errors(files) -> list[str]:
    """The checker's errors on these files, one line each, "<file name> line <n>: <message>"."""
    command = checker()
    result = subprocess.run(
        [*command, *map(str, files)], capture_output=True, text=True, timeout=300
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    return [
        f"{m.get('url', '').rsplit('/', 1)[-1]} line {m.get('lastLine')}: {m.get('message')}"
        for m in messages
        if m.get("type") == "error" or m.get("subType") == "fatal"
    ]


def report_pages(client) -> list[tuple[str, bytes]]:
    """The "Did this fix it?" pages (reports/): a result with the form, the form sent back
    with errors, the thank-you, and the refusals (403, 429)."""
    from django.test import override_settings

    from tests.test_reports_web import REPORT, RESULT, form_data, token_of

    result = client.get(RESULT)
    token = token_of(result.content.decode())
    invalid = client.post(REPORT, form_data(token, fault="other", other_text="", model_year="1"))
    sent = client.post(REPORT, form_data(token))
    forged = client.post(REPORT, form_data("forged"))
    with override_settings(REPORT_RATE_LIMIT=1):
        client.post(REPORT, form_data(token))
        limited = client.post(REPORT, form_data(token))
    assert (invalid.status_code, sent.status_code) == (400, 303)
    assert (forged.status_code, limited.status_code) == (403, 429)
    return [
        (RESULT, result.content),
        ("report form with errors", invalid.content),
        ("thank-you page", client.get(sent["Location"]).content),
        ("report refused (403)", forged.content),
        ("too many reports (429)", limited.content),
    ]


def test_every_sitemap_page_and_wizard_step_is_valid_html(client, content, tmp_path):
    command = checker()
    pages: dict[Path, str] = {}
    paths = sitemap_paths(client) + WIZARD_STEPS + ["/offline/"]
    paths += [f"/ru{path}" for path in [*WIZARD_STEPS, "/offline/"]]  # the sitemap has /ru/ pages
    for number, path in enumerate(paths):
        file = tmp_path / f"page-{number:03}.html"
        file.write_bytes(render(client, path))
        pages[file] = path
    # The htmx fragment is not a document: checked inside a minimal one.
    fragment = render(client, WIZARD_STEPS[3], {"HX-Request": "true"}).decode()
    file = tmp_path / "fragment.html"
    file.write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>f</title></head>'
        f'<body><main><div id="step">{fragment}</div></main></body></html>'
    )
    pages[file] = f"{WIZARD_STEPS[3]} (htmx fragment)"
    for number, (name, html) in enumerate(report_pages(client)):
        file = tmp_path / f"report-{number:02}.html"
        file.write_bytes(html)
        pages[file] = name

    result = subprocess.run(
        [*command, *map(str, pages)], capture_output=True, text=True, timeout=180
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [
        f"{pages.get(Path(m.get('url', '').removeprefix('file:')), m.get('url'))}"
        f" line {m.get('lastLine')}: {m.get('message')} [{m.get('extract', '').strip()}]"
        for m in messages
        if m.get("type") == "error" or m.get("subType") == "fatal"
    ]
    assert len(pages) >= 30
    assert errors == [], "\n".join(errors)
