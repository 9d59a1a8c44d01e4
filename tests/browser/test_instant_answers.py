"""Instant answers (issue 23, docs/offline.md): the service worker keeps the htmx fragments of
the next two questions' steps; a tap on a kept step is answered from the phone, offline too,
and a tap whose step is not kept yet goes to the server as an ordinary request."""

import time

import pytest

from tests.browser.test_offline import PHONE, WIZARD, forget_http_cache
from tests.browser.waiting import wait_until

pytestmark = pytest.mark.browser

# The steps of the next two questions kept as fragments: every answer link of the step on
# screen, and every answer link inside each of those fragments. Resolves to true or false.
NEXT_TWO_KEPT = """async () => {
  const names = (await caches.keys()).filter(name => name.endsWith('-steps'));
  if (names.length !== 1) return false;
  const steps = await caches.open(names[0]);
  const links = [...document.querySelectorAll('#step a.button-answer')].map(a => a.href);
  if (!links.length) return false;
  for (const url of links) {
    const kept = await steps.match(url, {ignoreVary: true});
    if (!kept) return false;
    const html = await kept.text();
    const next = [...html.matchAll(/<a class="button button-answer[^"]*" href="([^"]+)"/g)]
      .map(m => new URL(m[1].replaceAll('&amp;', '&'), location.origin).href);
    for (const after of next) {
      if (!(await steps.match(after, {ignoreVary: true}))) return false;
    }
  }
  return true;
}"""


def heading(page) -> str:
    return page.locator("#question-heading").inner_text()


def tap(page, index: int) -> str:
    """Tap the answer button `index` (-1: the last) and wait for the next question's heading;
    return it."""
    before = heading(page)
    buttons = page.locator("ul.answers a.button-answer")
    buttons.nth(index if index >= 0 else buttons.count() + index).click()
    page.locator("#question-heading").filter(has_not_text=before).wait_for()
    return heading(page)


def recorded(context, header: str, value: str) -> list[str]:
    """The URLs of the wizard's requests that carry `header: value`, as they reach the network
    (the page's and the worker's), in a list that fills as they come."""
    urls: list[str] = []

    def record(route):
        if route.request.headers.get(header) == value:
            urls.append(route.request.url)
        route.continue_()

    context.route("**/diagnose/**", record)
    return urls


def controlled(browser, site):
    context = browser.new_context(viewport=PHONE, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{site}{WIZARD}")
    page.wait_for_function("() => !!navigator.serviceWorker.controller")
    page.locator("a.button-choice[href$='generation=j11']").click()
    page.wait_for_url("**generation=j11**")
    return context, page, errors


def test_a_kept_step_is_answered_without_waiting_for_the_server(browser, site_with_worker):
    """The server's answer to the tap is held back for good: the next question still appears
    (from the phone), and the tap reaches the server after it, to be counted there."""
    context, page, errors = controlled(browser, site_with_worker)
    held: list[str] = []

    def hold_ordinary_taps(route):
        headers = route.request.headers
        if headers.get("hx-request") == "true" and headers.get("purpose") != "prefetch":
            held.append(route.request.url)  # never answered
            return
        route.continue_()

    context.route("**/diagnose/**", hold_ordinary_taps)
    wait_until(page, NEXT_TWO_KEPT, what="the next two questions' steps kept")
    first = heading(page)
    href = page.locator("ul.answers a.button-answer").nth(-2).get_attribute("href")
    second = tap(page, -2)  # "No"
    assert second != first
    page.wait_for_url("**answers=**")  # the step's own URL, as from the server
    deadline = time.monotonic() + 20
    while not any(url.endswith(href) for url in held):
        assert time.monotonic() < deadline, "the tap was never told to the server"
        page.wait_for_timeout(100)
    assert errors == []
    context.close()


# Counts, in the page, the steps the worker handed over and the requests htmx made.
WATCH_HANDOVERS = """
window.__handedOver = [];
window.__htmxRequests = 0;
navigator.serviceWorker.addEventListener('message', (e) => {
  if (e.data && e.data.type === 'steps') window.__handedOver.push(...e.data.steps.map(s => s.url));
});
document.addEventListener('htmx:beforeRequest', () => { window.__htmxRequests += 1; });
"""


def test_a_step_handed_to_the_page_is_swapped_in_without_any_request(browser, site_with_worker):
    """The worker hands the next question's steps to the page; a tap on one shows it with no
    request at all (not even to the worker), pushes its URL, points the language switch at it,
    and is told to the server afterwards. The step after it is handed over in turn."""
    context, page, errors = controlled(browser, site_with_worker)
    page.evaluate(WATCH_HANDOVERS)
    told = recorded(context, "x-shown-from", "phone")
    link = page.locator("ul.answers a.button-answer").nth(-2)
    href = link.evaluate("a => a.href")
    page.wait_for_function("href => window.__handedOver.includes(href)", arg=href)

    first = heading(page)
    second = tap(page, -2)
    assert second != first
    page.wait_for_url(href)  # pushed once the step is on screen
    assert page.evaluate("window.__htmxRequests") == 0
    switch = page.locator("#lang-switch a").get_attribute("href")
    assert switch == "/ru" + href.split(site_with_worker, 1)[1]
    deadline = time.monotonic() + 20
    while href not in told:
        assert time.monotonic() < deadline, "the tap was never told to the server"
        page.wait_for_timeout(100)

    # The new step's links work as the first step's: handed over too, or through htmx.
    third = tap(page, 0)
    assert third != second
    assert errors == []
    context.close()


def test_a_kept_result_lays_out_its_lower_cards_when_they_are_needed(browser, site_with_worker):
    """A result swapped in by the page: the cards below its first screen are laid out only near
    the viewport, once the step is painted (the tap shows its top sooner), are there when
    scrolled to, and print whole; the stylesheet it brings was applied before the tap."""
    context, page, errors = controlled(browser, site_with_worker)
    page.evaluate(WATCH_HANDOVERS)
    # J11's first question; its answers' steps handed over, then the answers after those.
    page.wait_for_function("() => window.__handedOver.length > 0")
    while not page.locator("#step .card.fix").count():
        link = page.locator("ul.answers a.button-answer").first
        href = link.evaluate("a => a.href")
        page.wait_for_function("href => window.__handedOver.includes(href)", arg=href)
        link.click()
        page.wait_for_url(href)
    assert page.evaluate("window.__htmxRequests") == 0  # every step shown by the page
    lower = "[...document.querySelectorAll('#step > .card')].map(c => c.style.contentVisibility)"
    skipped = page.evaluate(lower)
    assert "auto" in skipped and skipped[0] == ""  # the question card (its heading) at once
    # The report form's stylesheet was applied before the tap, not brought in by the swap.
    assert page.locator("#step link[rel=stylesheet]").count() == 0
    assert page.locator("head link[rel=stylesheet][href*='/report.']").count() == 1

    # Laid out whole: every radio button and button inside the card's own box (while skipped,
    # the card keeps its placeholder height and its fields have none).
    laid_out = """() => { const card = document.querySelector('#step .card.report');
      const box = card.getBoundingClientRect();
      return [...card.querySelectorAll('[type=radio], button')].every(field => {
        const own = field.getBoundingClientRect();
        return own.height > 0 && own.bottom <= box.bottom + 1; }); }"""
    assert not page.evaluate(laid_out)  # far below: not laid out yet
    page.locator("#step .card.report").scroll_into_view_if_needed()
    page.wait_for_function(laid_out)  # a plain (not async) check: wait_for_function waits
    assert page.get_by_role("radio").first.is_visible()

    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert set(page.evaluate(lower)) == {""}
    assert errors == []
    context.close()


def test_the_third_and_fourth_answers_work_after_the_signal_is_cut(browser, site_with_worker):
    context, page, errors = controlled(browser, site_with_worker)
    tap(page, -2)
    second = tap(page, -2)  # two answers online
    wait_until(page, NEXT_TWO_KEPT, what="the next two questions' steps kept")

    forget_http_cache(page)  # what is kept must come from the service worker's cache
    context.set_offline(True)
    third = tap(page, 0)  # "Yes": a step never opened, fetched ahead
    assert third != second
    assert page.locator("text=You are offline").count() == 0
    fourth = tap(page, -2)  # the question after it: kept too
    assert fourth != third
    assert page.locator("text=You are offline").count() == 0
    assert errors == []
    context.close()


def test_a_tap_whose_prefetch_is_held_back_goes_to_the_server(browser, site_with_worker):
    context = browser.new_context(viewport=PHONE, has_touch=True)
    held: list[str] = []
    ordinary: list[str] = []

    def hold_back_prefetches(route):
        headers = route.request.headers
        if headers.get("purpose") == "prefetch" and headers.get("hx-request") == "true":
            held.append(route.request.url)  # never answered: the prefetch has not arrived
            return
        if headers.get("hx-request") == "true":
            ordinary.append(route.request.url)
        route.continue_()

    context.route("**/diagnose/**", hold_back_prefetches)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{site_with_worker}{WIZARD}")
    page.wait_for_function("() => !!navigator.serviceWorker.controller")
    page.locator("a.button-choice[href$='generation=j11']").click()
    page.wait_for_url("**generation=j11**")
    no = page.locator("ul.answers a.button-answer").nth(-2).get_attribute("href")
    page.locator("ul.answers a.button-answer").first.wait_for()
    deadline = time.monotonic() + 20
    while not any(url.endswith(no) for url in held):
        assert time.monotonic() < deadline, "the worker never asked for the step ahead"
        page.wait_for_timeout(100)

    first = heading(page)
    second = tap(page, -2)
    assert second != first
    assert any(url.endswith(no) for url in ordinary)  # answered by the ordinary request
    assert errors == []
    context.close()


def test_save_data_fetches_nothing_ahead_and_a_tap_still_works(browser, site_with_worker):
    context = browser.new_context(viewport=PHONE, has_touch=True)
    context.add_init_script(
        "Object.defineProperty(navigator, 'connection', {value: {saveData: true}})"
    )
    prefetched = recorded(context, "purpose", "prefetch")
    page = context.new_page()
    page.goto(f"{site_with_worker}{WIZARD}")
    page.wait_for_function("() => !!navigator.serviceWorker.controller")
    page.locator("a.button-choice[href$='generation=j11']").click()
    page.wait_for_url("**generation=j11**")
    page.wait_for_timeout(1000)  # time for a background prefetch, had there been one
    assert prefetched == []

    first = heading(page)
    second = page.locator("ul.answers a.button-answer").first
    href = second.get_attribute("href")
    second.tap()  # a touch: its step alone is fetched ahead, and the tap joins that request
    page.locator("#question-heading").filter(has_not_text=first).wait_for()
    assert [url for url in prefetched if not url.endswith(href)] == []
    context.close()


@pytest.fixture
def site_with_worker(live_site):
    # Service workers need a secure context: http://localhost is one, a bare IP may not be.
    return live_site.replace("127.0.0.1", "localhost")
