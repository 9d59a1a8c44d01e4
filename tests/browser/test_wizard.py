"""The wizard in real Chromium at phone size: with htmx, without JavaScript, back and links."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SHOTS = Path(__file__).resolve().parents[2] / "screenshots"


@pytest.fixture
def site(live_site):
    return live_site


def new_page(browser, javascript=True):
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page, errors


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def answer_button(page, answer):
    """The button of an answer to the question shown: "Yes" is the first option, "No" the
    one before "Don't know" (a group's "none of these"), "Don't know" the last."""
    buttons = page.locator("ul.answers a.button-answer")
    return {
        "Yes": buttons.first,
        "No": buttons.nth(buttons.count() - 2),
        "Don't know": buttons.last,
    }[answer]


def answer_until_done(page, answer="No", limit=20):
    for _ in range(limit):
        if page.locator("a.button-answer").count() == 0:
            return
        before = page.url
        answer_button(page, answer).click()
        page.wait_for_function("u => location.href !== u", arg=before)
        page.wait_for_load_state("networkidle")
    raise AssertionError(f"no result after {limit} answers")


def test_phone_user_reaches_a_result_by_tapping_with_htmx(browser, site):
    page, errors = new_page(browser)
    page.goto(f"{site}/nissan-qashqai/trunk-wont-open/diagnose/")
    shot(page, "wizard-1-generation-phone")
    page.get_by_role("link", name="J10").click()
    page.wait_for_url("**generation=j10**")
    assert page.locator("#question-heading").is_visible()
    shot(page, "wizard-2-question-phone")
    first_question = page.locator("#question-heading").inner_text()

    answer_button(page, "Yes").click()
    page.wait_for_function(
        "h => document.getElementById('question-heading').innerText !== h", arg=first_question
    )
    page.wait_for_url("**answers=**")  # the step's URL, pushed once the step is on screen
    assert page.evaluate("document.activeElement.id") == "question-heading"
    answer_until_done(page)
    page.wait_for_selector("text=Result: the likely causes")
    shot(page, "wizard-3-result-phone")
    assert page.locator("section.fix").count() >= 1
    assert no_horizontal_scroll(page)
    assert errors == []


def test_back_button_returns_to_the_previous_step(browser, site):
    page, errors = new_page(browser)
    page.goto(f"{site}/nissan-qashqai/trunk-wont-open/diagnose/?generation=j11")
    first = page.locator("#question-heading").inner_text()
    answer_button(page, "No").click()
    page.wait_for_function(
        "h => document.getElementById('question-heading').innerText !== h", arg=first
    )
    page.wait_for_url("**answers=**")  # pushed once the step is on screen
    page.go_back()
    page.wait_for_function(
        "h => document.getElementById('question-heading')?.innerText === h", arg=first
    )
    assert "answers=" not in page.url
    assert errors == []


def test_back_and_forward_walk_the_steps_answered(browser, site):
    page, errors = new_page(browser)
    page.goto(f"{site}/nissan-qashqai/trunk-wont-open/diagnose/?generation=j11")
    steps = [(page.url, page.locator("#question-heading").inner_text())]
    for _ in range(2):
        answer_button(page, "No").click()
        page.wait_for_function("u => location.href !== u", arg=steps[-1][0])
        page.locator("#question-heading").filter(has_not_text=steps[-1][1]).wait_for()
        steps.append((page.url, page.locator("#question-heading").inner_text()))
    assert len({url for url, _ in steps}) == 3
    for url, question in [steps[1], steps[0]]:
        page.go_back()
        page.wait_for_url(url)
        page.locator("#question-heading", has_text=question).wait_for()
    page.go_forward()
    page.wait_for_url(steps[1][0])
    page.locator("#question-heading", has_text=steps[1][1]).wait_for()
    assert errors == []


def test_a_cause_in_a_step_opens_its_own_page(browser, site):
    # Only the links to other steps are swapped into the step: a cause's page is a page.
    page, errors = new_page(browser)
    page.goto(f"{site}/nissan-qashqai/trunk-wont-open/diagnose/?generation=j11")
    cause = page.locator(".cause-list .cause-head a").first
    name = cause.get_attribute("title")
    cause.click()
    page.wait_for_url("**/faults/**")
    assert page.locator("h1").all_inner_texts() == [name]
    assert page.locator("#step").count() == 0 and page.locator("header").count() == 1
    assert errors == []


def test_a_copied_url_reproduces_the_result(browser, site):
    page, _ = new_page(browser)
    page.goto(f"{site}/nissan-qashqai/trunk-wont-open/diagnose/?generation=j11")
    answer_button(page, "Yes").click()
    page.wait_for_url("**answers=**")
    page.wait_for_load_state("networkidle")
    causes = page.locator(".cause-list").inner_text()
    copied = page.url
    other, _ = new_page(browser)
    other.goto(copied)
    assert other.locator(".cause-list").inner_text() == causes


def test_emergency_procedure_opens_from_a_step(browser, site):
    from kb.models import Problem

    emergency = Problem.objects.get(
        vehicle_model__slug="nissan-qashqai", slug="trunk-wont-open"
    ).emergency_procedure
    # docs/design.md: the emergency opening from the passenger compartment, not just any procedure.
    assert emergency.slug == "open-trunk-from-passenger-compartment"
    page, errors = new_page(browser)
    page.goto(
        f"{site}/nissan-qashqai/trunk-wont-open/diagnose/?generation=j12&answers=no-sound-on-press:y"
    )
    page.get_by_role("link", name="Get my things out now").click()
    page.wait_for_url(f"{site}/nissan-qashqai/procedures/{emergency.slug}/")
    assert page.locator("h1").all_inner_texts() == [emergency.title]
    shot(page, "emergency-procedure-phone")
    assert errors == []


def test_wizard_works_fully_without_javascript(browser, site):
    page, _ = new_page(browser, javascript=False)
    page.goto(f"{site}/nissan-qashqai/trunk-wont-open/diagnose/")
    page.get_by_label("Or type the model year").fill("2016")
    page.get_by_role("button", name="Go").click()
    page.wait_for_url("**generation=j11")  # the year, redirected to its generation
    assert "J11" in page.locator(".progress").inner_text()
    answer_until_done(page, answer="Don't know")
    # "Don't know" to everything carries no evidence: a result, with nothing made clear.
    assert page.locator("text=Result: the likely causes").count() == 1
    assert page.locator("#question-heading").inner_text() == "That is all we can ask"
    shot(page, "wizard-nojs-phone")
    assert no_horizontal_scroll(page)


def test_bad_link_shows_the_message_and_the_user_can_go_on(browser, site):
    page, _ = new_page(browser)
    page.goto(
        f"{site}/nissan-qashqai/trunk-wont-open/diagnose/?generation=j11&answers=no-sound-on-press:y,bogus:y"
    )
    assert page.get_by_role("alert").is_visible()
    alert = page.get_by_role("alert").inner_text()  # in words: no token of the link
    assert "a question we do not ask" in alert and "bogus" not in alert
    answer_button(page, "Yes").click()
    page.wait_for_function("() => !location.href.includes('bogus')")
    assert "no-sound-on-press:y" in page.url and "bogus" not in page.url
    assert page.get_by_role("alert").count() == 0


def test_desktop_layout_screenshot(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(
        f"{site}/nissan-qashqai/trunk-wont-open/diagnose/?generation=j11&answers=doors-lock-unlock-ok:y,no-sound-on-press:y"
    )
    shot(page, "wizard-question-desktop")
    assert no_horizontal_scroll(page)
