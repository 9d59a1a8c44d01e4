"""The public pages in real Chromium: a phone user's path, no JS, 320 px, dark mode, print."""

import json
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = Path(__file__).resolve().parents[2] / "screenshots"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
PAGES = {
    "home": "/",
    "vehicle": "/nissan-qashqai/",
    "problem": "/nissan-qashqai/trunk-wont-open/",
    "problem-2": "/nissan-qashqai/trunk-opens-then-closes/",
    "fault": "/nissan-qashqai/trunk-wont-open/faults/release-cable-broken/",
    "procedure": "/nissan-qashqai/procedures/replace-electromagnetic-lock/",
    "emergency": "/nissan-qashqai/procedures/open-trunk-from-passenger-compartment/",
    "faq": "/nissan-qashqai/faq/",
    "generation": "/nissan-qashqai/generations/j11/",
    "search": "/search/?q=frozen+lock",
    "search-empty": "/search/?q=xylophone",
    "not-found": "/nissan-qashqai/no-such-problem/",
}


def shipped(model: str) -> set[str]:
    """The slugs of one kind of object in fixtures/*.json, as `make run` loads them."""
    return {
        obj["fields"]["slug"]
        for path in FIXTURES.glob("*.json")
        for obj in json.loads(path.read_text())
        if obj["model"] == model
    }


def open_page(browser, viewport=PHONE, javascript=True, **options):
    context = browser.new_context(viewport=viewport, java_script_enabled=javascript, **options)
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    failed = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    return page, errors, failed


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def css_loaded(page) -> bool:
    """site.css applied: the body has no default margin and buttons are tap-sized."""
    return page.evaluate(
        """() => getComputedStyle(document.body).marginTop === '0px'
             && [...document.styleSheets].some(s => (s.href || '').endsWith('/css/site.css'))"""
    )


def shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def walk_home_to_problem_faq_and_search(page, site, errors, failed):
    page.goto(site + "/")
    assert css_loaded(page)
    assert fits(page)
    start = page.get_by_role("link", name="Start diagnosis").first
    assert start.is_visible()
    box = start.bounding_box()
    assert box["height"] >= 44 and box["y"] < 844 * 1.5  # prominent, near the top

    page.get_by_role("link", name="Trunk won't open").first.click()
    page.wait_for_url("**/nissan-qashqai/trunk-wont-open/")
    assert page.locator("h1").inner_text().startswith("Trunk won't open")
    assert page.get_by_role("heading", name="Need your things out right now?").is_visible()
    table = page.locator("#rate-table")
    assert table.locator("td[data-level]").count() == 12
    assert fits(page)

    page.get_by_role("link", name="All Nissan Qashqai questions").click()
    page.wait_for_url("**/nissan-qashqai/faq/")
    assert page.locator("section.faq-entry h2").count() == 5
    assert fits(page)

    page.get_by_label("Search faults, repairs and answers").fill("frozen")
    page.get_by_label("Search faults, repairs and answers").press("Enter")
    page.wait_for_url("**/search/?q=frozen")
    assert page.locator("mark").first.is_visible()
    page.locator("ol.results a.result-title").first.click()
    page.wait_for_url("**/faults/lock-frozen/")
    assert page.locator("h1").inner_text() == "Lock frozen"
    assert fits(page)
    assert errors == []
    assert failed == []


def test_phone_user_goes_from_home_to_the_problem_reads_the_faq_and_searches(browser, live_site):
    page, errors, failed = open_page(browser)
    walk_home_to_problem_faq_and_search(page, live_site, errors, failed)


def test_the_same_path_works_without_javascript(browser, live_site):
    page, errors, failed = open_page(browser, javascript=False)
    walk_home_to_problem_faq_and_search(page, live_site, errors, failed)


def test_home_year_form_goes_to_the_wizard(browser, live_site):
    page, errors, _ = open_page(browser, javascript=False)
    page.goto(live_site + "/")
    page.get_by_label("Or type the model year").first.fill("2016")
    page.get_by_role("button", name="Go").first.click()
    # the year names its generation: a 301 to the state's one URL (web/canonical.py)
    page.wait_for_url("**/nissan-qashqai/trunk-wont-open/diagnose/?generation=j11")
    assert errors == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_page_renders_without_errors_and_screenshots(browser, live_site, viewport):
    page, errors, failed = open_page(browser, viewport)
    size = "phone" if viewport is PHONE else "desktop"
    for name, url in PAGES.items():
        response = page.goto(live_site + url)
        assert response.status == (404 if name == "not-found" else 200), url
        assert css_loaded(page), url
        assert fits(page), url
        shot(page, f"{name}-{size}")
        if name == "not-found":  # the browser logs the page's own 404 status
            errors[:] = [e for e in errors if "404 (Not Found)" not in e]
            failed[:] = [u for u in failed if "no-such-problem" not in u]
        assert errors == [], url
        assert failed == [], url


def test_no_horizontal_scroll_at_320_px(browser, live_site):
    page, errors, _ = open_page(browser, {"width": 320, "height": 640})
    for name, url in PAGES.items():
        page.goto(live_site + url)
        if name == "problem":
            shot(page, "problem-320")
        overflow = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                 .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                              && !e.closest('.table-scroll'))
                 .map(e => e.tagName + '.' + e.className).slice(0, 5)"""
        )
        assert fits(page) and overflow == [], (name, overflow)
    assert [e for e in errors if "404 (Not Found)" not in e] == []


def test_tap_targets_are_at_least_44_px(browser, live_site):
    page, _, _ = open_page(browser)
    for url in ["/", "/nissan-qashqai/trunk-wont-open/", "/search/?q=fuse"]:
        page.goto(live_site + url)
        small = page.evaluate(
            """() => [...document.querySelectorAll('.button, button, input, .chip, .toc a,'
                     + ' .link-list a, .crumbs a, summary')]
                 .filter(e => e.offsetParent !== null)
                 .map(e => [e.textContent.trim().slice(0, 30), e.getBoundingClientRect().height])
                 .filter(([, h]) => h < 43.5)"""
        )
        assert small == [], (url, small)


def test_focus_is_visible_and_the_skip_link_works(browser, live_site):
    page, _, _ = open_page(browser)
    page.goto(live_site + "/nissan-qashqai/trunk-wont-open/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("e => e === document.activeElement")
    assert skip.evaluate("e => getComputedStyle(e).outlineStyle") != "none"
    assert skip.bounding_box()["y"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_dark_mode_follows_the_system(browser, live_site):
    page, errors, _ = open_page(browser, color_scheme="dark")
    page.goto(live_site + "/nissan-qashqai/trunk-wont-open/")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    red, green, blue = (int(n) for n in re.findall(r"\d+", background)[:3])
    assert red + green + blue < 120
    shot(page, "problem-dark-phone")
    page.goto(live_site + "/")
    shot(page, "home-dark-phone")
    assert errors == []


def test_every_procedure_prints_as_a_one_page_repair_card(browser, live_site):
    from kb.models import Procedure

    procedures = list(Procedure.objects.select_related("vehicle_model"))
    # every procedure the fixtures ship, so that the loop below cannot print nothing
    assert {p.slug for p in procedures} == shipped("kb.procedure")
    page, _, _ = open_page(browser)
    page.emulate_media(media="print")
    for procedure in procedures:
        page.goto(live_site + procedure.get_absolute_url())
        assert page.locator(".site-header").is_hidden()
        assert page.locator(".crumbs").is_hidden()
        assert page.locator("h1").is_visible()
        pdf = page.pdf(format="A4")
        if procedure.slug == "replace-electromagnetic-lock":
            (SHOTS / "procedure-print.pdf").write_bytes(pdf)
        assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1, procedure.slug


def test_first_view_of_the_home_page_transfers_under_60_kb(browser, live_site):
    page, errors, _ = open_page(browser)
    responses = []
    page.on("requestfinished", lambda request: responses.append(request))
    page.goto(live_site + "/")
    page.wait_for_load_state("networkidle")
    sizes = {r.url: r.sizes() for r in responses}
    total = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes.values())
    print(f"home first view: {len(sizes)} requests, {total} bytes transferred")
    assert any(url.endswith("/css/site.css") for url in sizes)
    assert total < 60 * 1024
    assert errors == []
