"""The site in Russian in real Chromium: the wizard end to end on a phone (with htmx and
without JavaScript), the language switch keeping the answers, and the Russian pages' layout
at phone and desktop sizes (screenshots in screenshots/, for people to look at)."""

import pytest

from tests.browser.test_wizard import (
    PHONE,
    SHOTS,
    answer_button,
    answer_until_done,
    new_page,
    no_horizontal_scroll,
    shot,
)

pytestmark = pytest.mark.browser

WIZARD = "/nissan-qashqai/trunk-wont-open/diagnose/"
DESKTOP = {"width": 1280, "height": 800}
RUSSIAN_PAGES = {
    "home": "/ru/",
    "problem": "/ru/nissan-qashqai/trunk-wont-open/",
    "fault": "/ru/nissan-qashqai/trunk-wont-open/faults/handle-broken/",
    "procedure": "/ru/nissan-qashqai/procedures/open-trunk-from-passenger-compartment/",
    "faq": "/ru/nissan-qashqai/faq/",
    "search": "/ru/search/?q=замок",
}


@pytest.fixture
def site(live_site):
    return live_site


def test_a_phone_user_runs_the_wizard_in_russian_with_htmx(browser, site):
    page, errors = new_page(browser)
    page.goto(f"{site}/ru{WIZARD}")
    assert page.locator("html").get_attribute("lang") == "ru"
    shot(page, "ru-wizard-1-generation-phone")
    page.locator("ul.choices a").first.click()
    page.wait_for_url("**generation=**")
    assert page.locator(".progress").inner_text().startswith("Вопрос 1")
    shot(page, "ru-wizard-2-question-phone")
    first_question = page.locator("#question-heading").inner_text()
    answer_button(page, "Yes").click()
    page.wait_for_function(
        "h => document.getElementById('question-heading').innerText !== h", arg=first_question
    )
    page.wait_for_url("**/ru/**answers=**")  # the Russian step's URL, pushed once on screen
    answer_until_done(page)
    page.wait_for_selector("text=Результат: вероятные причины")
    shot(page, "ru-wizard-3-result-phone")
    assert page.locator("section.fix").count() >= 1
    assert no_horizontal_scroll(page)
    assert errors == []


def test_a_phone_user_runs_the_wizard_in_russian_without_javascript(browser, site):
    page, _ = new_page(browser, javascript=False)
    page.goto(f"{site}/ru{WIZARD}")
    page.get_by_label("Или введите год выпуска").fill("2016")
    page.get_by_role("button", name="Вперёд").click()
    page.wait_for_url("**generation=j11")  # the year, redirected to its generation
    assert "J11" in page.locator(".progress").inner_text()
    answer_until_done(page, answer="Don't know")
    assert page.locator("#question-heading").inner_text() == "Больше спросить нечего"
    assert page.locator("text=Результат: вероятные причины").count() == 1
    shot(page, "ru-wizard-nojs-phone")
    assert no_horizontal_scroll(page)


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-javascript"])
def test_the_language_switch_keeps_the_step_and_its_answers(browser, site, javascript):
    page, errors = new_page(browser, javascript=javascript)
    page.goto(f"{site}/ru{WIZARD}?generation=j11")
    # Two answers and a third question: "Yes" twice ends on a result since the stop rule of
    # issue 24 (a question must save its cost in the plan), so the second answer is "No".
    for label in ("Yes", "No"):
        before = page.url
        answer_button(page, label).click()
        page.wait_for_function("u => location.href !== u", arg=before)
        page.wait_for_load_state("networkidle")
    russian_query = page.url.split("?", 1)[1]
    answered = page.locator(".answer-list > li").count()
    assert answered == 2

    page.get_by_role("link", name="English").click()
    page.wait_for_url(f"**{WIZARD}?**")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "/ru/" not in page.url and page.url.split("?", 1)[1] == russian_query
    assert page.locator(".answer-list > li").count() == answered
    assert page.locator(".progress").inner_text().startswith("Question 3")

    page.get_by_role("link", name="Русский").click()
    page.wait_for_url(f"**/ru{WIZARD}?**")
    assert page.url.split("?", 1)[1] == russian_query
    assert page.locator(".progress").inner_text().startswith("Вопрос 3")
    assert errors == []


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_russian_pages_fit_the_screen(browser, site, size):
    context = browser.new_context(viewport=PHONE if size == "phone" else DESKTOP)
    page = context.new_page()
    pages = {
        **RUSSIAN_PAGES,
        "wizard-result": f"/ru{WIZARD}?generation=j11&answers="
        "car-electrics-weak:n,doors-lock-unlock-ok:y,fuse-intact:n,key-not-detected:n,"
        "no-sound-on-press:y,voltage-at-lock:n",
    }
    for name, path in pages.items():
        page.goto(f"{site}{path}")
        assert page.locator("html").get_attribute("lang") == "ru", path
        shot(page, f"ru-{name}-{size}")
        # Long Russian words must wrap, not push the page sideways.
        assert no_horizontal_scroll(page), path
    context.close()


# Whether the header search's placeholder fits its input, measured as typed text of the same
# words: an input scrolls (scrollWidth > clientWidth) when its text is cut, and typed text has
# the room a placeholder has, less Chromium's "clear" button.
PLACEHOLDER_FITS = """() => {
  const input = document.getElementById('site-search');
  input.value = input.placeholder;
  const fits = input.scrollWidth <= input.clientWidth;
  input.value = '';
  return fits;
}"""


def test_the_phone_headers_search_placeholder_is_not_cut_in_russian(browser, site):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{site}/ru/")
    assert page.evaluate(PLACEHOLDER_FITS), page.locator("#site-search").get_attribute(
        "placeholder"
    )
    # The search has a row of its own below the site name and the language switch (which the
    # long Russian site name left no room beside it).
    name = page.locator(".site-name").bounding_box()
    switch = page.locator(".lang-switch").bounding_box()
    search = page.locator(".header-search").bounding_box()
    assert switch["y"] == name["y"] and search["y"] >= name["y"] + name["height"]
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / "ru-header-phone.png")
    context.close()
