"""Every page of both languages holds at 390 px: no sideways scroll, the rate table readable
without scrolling inside it, the wizard's steps and the print view fitting a phone.

Russian words are longer than English ones: the generation step was 413 px wide («J11
рестайлинг» did not wrap), the rate table showed only the "J" of its J12 column, and the print
view was 425–636 px wide, in Russian only or worst there (issue 22, item 4).
"""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .test_public_pages import PHONE, fits, open_page

pytestmark = pytest.mark.browser

WIZARD = "/nissan-qashqai/trunk-wont-open/diagnose/"
PRINT_LINK = "a[href*='/print/']"
# What overflows the phone's width, and scroll regions (the rate table) that need scrolling.
OVERFLOW = """() => ({
    wide: [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                     && !e.closest('.table-scroll'))
        .map(e => e.tagName + '.' + e.className).slice(0, 5),
    scrolled: [...document.querySelectorAll('.table-scroll')]
        .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.querySelector('table').id),
})"""


def sitemap_paths(page, site) -> list[str]:
    """Every page the sitemap lists (an index's sections followed), as paths."""
    pending, paths = [site + "/sitemap.xml"], set()
    while pending:
        page.goto(pending.pop())
        xml = page.content()
        for location in re.findall(r"<loc>([^<]+)</loc>", xml):
            path = urlsplit(location).path + (
                "?" + urlsplit(location).query if urlsplit(location).query else ""
            )
            if path.endswith(".xml"):
                pending.append(site + path)
            else:
                paths.add(path)
    return sorted(paths)


def assert_fits(page, where):
    found = page.evaluate(OVERFLOW)
    assert fits(page) and found == {"wide": [], "scrolled": []}, (where, found)


def test_every_sitemap_page_fits_a_phone_in_both_languages(browser, live_site):
    page, _errors, _failed = open_page(browser, PHONE)
    paths = sitemap_paths(page, live_site)
    assert any(p.startswith("/ru/") for p in paths) and any(not p.startswith("/ru/") for p in paths)
    for path in paths:
        page.goto(live_site + path)
        assert_fits(page, path)


@pytest.mark.parametrize("language", ["", "/ru"])
def test_the_wizards_steps_result_and_print_view_fit_a_phone(browser, live_site, language):
    page, _errors, _failed = open_page(browser, PHONE)
    page.goto(live_site + language + WIZARD)
    assert_fits(page, "generation step")
    page.locator(".button-choice").nth(2).click()  # J11 facelift: the longest name
    answers_or_result = page.locator(f".button-answer, {PRINT_LINK}").first
    expect(answers_or_result).to_be_visible()
    steps = 0
    while page.locator(".button-answer").count():
        assert_fits(page, page.url)
        question = page.locator("#question-heading").inner_text()
        page.locator(".button-answer").first.click()  # "yes" to everything it asks
        # the next question, or the result (no question heading left)
        expect(page.locator("#question-heading", has_text=question)).to_have_count(0)
        expect(answers_or_result).to_be_visible()
        steps += 1
        assert steps <= 9, "the wizard kept asking"
    assert_fits(page, "result " + page.url)
    page.locator(PRINT_LINK).first.click()
    page.wait_for_url("**/print/**")
    assert_fits(page, "print view " + page.url)
