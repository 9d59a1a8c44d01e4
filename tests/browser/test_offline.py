"""Offline after the first visit: the service worker keeps what the owner opened, the steps of
the next two questions, and every emergency procedure; an uncached page shows the offline
page."""

from pathlib import Path

import pytest

from tests.browser.waiting import wait_until

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = Path(__file__).resolve().parents[2] / "screenshots"
WIZARD = "/nissan-qashqai/trunk-wont-open/diagnose/"

# True once every answer link of the current step is kept: the prefetch has reached the
# next question (its own answer links are fetched with it, in the same pass).
# The pages of the answers on screen kept whole (the pages' caches, not the fragments a tap is
# answered with: those come first and would match the same URLs).
ANSWERS_KEPT = """async () => {
  const links = [...document.querySelectorAll('#step a.button-answer')].map(a => a.href);
  if (!links.length) return false;
  const names = (await caches.keys()).filter(name => !name.endsWith('-steps'));
  for (const url of links) {
    let kept = false;
    for (const name of names) { if (await (await caches.open(name)).match(url)) kept = true; }
    if (!kept) return false;
  }
  return true;
}"""
# The step on screen kept as a page the owner opened (what the offline page lists).
STEP_KEPT = """async () => {
  const names = (await caches.keys())
    .filter(name => !name.endsWith('-steps') && !name.endsWith('-ahead'));
  for (const name of names) {
    if (await (await caches.open(name)).match(location.href)) return true;
  }
  return false;
}"""


def shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def answer(page, label):
    """Tap an answer: "Yes" is the first option, "No" the one before "Don't know" (a group's
    "none of these")."""
    heading = page.locator("#question-heading").inner_text()
    buttons = page.locator("ul.answers a.button-answer")
    (buttons.first if label == "Yes" else buttons.nth(buttons.count() - 2)).click()
    page.wait_for_function(
        "h => document.getElementById('question-heading').innerText !== h", arg=heading
    )


def forget_http_cache(page):
    """Empty the browser's HTTP cache (pages are fresh there for PUBLIC_CACHE_SECONDS), as
    after a few minutes in a car park."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.clearBrowserCache")
    cdp.detach()


def controlled_page(browser, site, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{site}{WIZARD}")
    page.wait_for_function(
        "() => !!(navigator.serviceWorker && navigator.serviceWorker.controller)"
    )
    return context, page, errors


def test_wizard_goes_on_offline_after_two_answers(browser, site_with_worker):
    site = site_with_worker
    context, page, errors = controlled_page(browser, site, PHONE)
    page.locator("a.button-choice[href$='generation=j11']").click()
    page.wait_for_url("**generation=j11**")
    answer(page, "No")
    answer(page, "No")
    question_two = page.locator("#question-heading").inner_text()
    wait_until(page, ANSWERS_KEPT, what="the answers' pages kept")

    forget_http_cache(page)  # what is kept must come from the service worker's cache
    context.set_offline(True)
    answer(page, "Yes")  # a step never opened online: prefetched in the background
    assert page.locator("#question-heading").inner_text() != question_two
    assert page.locator("text=You are offline").count() == 0

    page.get_by_role("link", name="Get my things out now").click()
    page.wait_for_url("**/procedures/**")
    procedure_title = page.locator("h1").inner_text()
    assert procedure_title
    page.reload()
    assert page.locator("h1").inner_text() == procedure_title

    page.goto(f"{site}/nissan-qashqai/faq/")  # never opened: not kept
    assert page.locator("h1").inner_text() == "You are offline"
    page.wait_for_selector("#kept-pages a")
    kept = page.locator("#kept-pages a").evaluate_all("links => links.map(a => a.href)")
    assert any("answers=" in href for href in kept)
    assert any("/procedures/" in href for href in kept)
    assert not any("/ru/" in href for href in kept)  # kept too, but listed on the Russian page
    emergency = page.locator(".callout-danger a").first
    assert emergency.is_visible()
    shot(page, "offline-phone")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert errors == []
    context.close()


def test_a_russian_page_offline_gets_the_russian_offline_page(browser, site_with_worker):
    site = site_with_worker
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{site}/ru{WIZARD}")
    page.wait_for_function(
        "() => !!(navigator.serviceWorker && navigator.serviceWorker.controller)"
    )
    page.locator("a.button-choice[href$='generation=j11']").click()
    page.wait_for_url("**generation=j11**")
    answer(page, "No")
    wait_until(page, ANSWERS_KEPT, what="the answers' pages kept")
    wait_until(page, STEP_KEPT, what="the step's page kept")  # the step's whole page is kept too

    forget_http_cache(page)
    context.set_offline(True)
    page.goto(f"{site}/ru/nissan-qashqai/faq/")  # never opened: not kept
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("h1").inner_text() == "Нет подключения к интернету"
    emergency = page.locator(".callout-danger a").first
    assert emergency.get_attribute("href").startswith("/ru/nissan-qashqai/procedures/")
    page.wait_for_selector("#kept-pages a")
    kept = page.locator("#kept-pages a")
    hrefs = kept.evaluate_all("links => links.map(a => a.href)")
    titles = kept.all_inner_texts()
    assert hrefs and all("/ru/" in href for href in hrefs), hrefs  # this language's pages only
    assert any(title.startswith("Вопрос 2: ") for title in titles), titles
    shot(page, "ru-offline-phone")

    emergency.click()  # the Russian emergency procedure was kept at install
    page.wait_for_url("**/ru/nissan-qashqai/procedures/**")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("h1").inner_text() != "Нет подключения к интернету"
    assert errors == []
    context.close()


def test_offline_page_on_a_desktop(browser, site_with_worker):
    site = site_with_worker
    context, page, errors = controlled_page(browser, site, DESKTOP)
    page.goto(f"{site}/nissan-qashqai/procedures/open-trunk-from-passenger-compartment/")
    forget_http_cache(page)
    context.set_offline(True)
    page.goto(f"{site}/nissan-qashqai/generations/j10/")
    assert page.locator("h1").inner_text() == "You are offline"
    page.wait_for_selector("#kept-pages a")
    shot(page, "offline-desktop")
    assert errors == []
    context.close()


def test_online_pages_come_from_the_network_not_the_kept_copy(browser, site_with_worker):
    site = site_with_worker
    context, page, _ = controlled_page(browser, site, PHONE)
    page.goto(f"{site}/nissan-qashqai/faq/")
    page.evaluate(
        """async () => {
        for (const name of await caches.keys()) {
          const cache = await caches.open(name);
          await cache.put(location.href, new Response(
            '<!doctype html><title>stale</title><h1>stale copy</h1>',
            {headers: {'Content-Type': 'text/html'}}));
        }
    }"""
    )
    page.reload()
    assert page.locator("h1").inner_text() != "stale copy"
    context.close()


@pytest.fixture
def site_with_worker(live_site):
    # Service workers need a secure context: http://localhost is one, a bare IP may not be.
    return live_site.replace("127.0.0.1", "localhost")
