"""A likelihood edit's preview in real Chromium: the tab it opens shows the ranking after
"yes" and after "no" to the question, with the cause the edit moved highlighted and its place
or percentage before and after the edit (issue 21)."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User

from kb.models import Likelihood

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "screenshots"
PASSWORD = "pw-for-browser-tests-9"


def log_in(browser, live_site, viewport):
    User.objects.create_superuser("lead", password=PASSWORD)
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{live_site}/admin/login/")
    page.get_by_label("Username").fill("lead")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_site}/admin/")
    return context, page


def choose_percent(page, name, percent):
    """A probability widget: "exact percentage" in its list, the number beside it."""
    page.locator(f"select[name='{name}_0']").select_option("exact")
    page.locator(f"input[name='{name}_1']").fill(str(percent))


@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)])
def test_a_likelihood_edit_shows_the_yes_and_no_rankings_change(browser, live_site, width, height):
    likelihood = Likelihood.objects.get(
        fault__slug="lock-frozen", symptom__slug="freezing-temperature"
    )
    cause, question = likelihood.fault.name, likelihood.symptom.question
    context, page = log_in(browser, live_site, {"width": width, "height": height})
    page.goto(f"{live_site}/admin/kb/likelihood/{likelihood.pk}/change/")
    choose_percent(page, "p_yes", 20)  # from "almost always" (95 %) to rarely: frost says less
    with context.expect_page() as opened:
        page.get_by_role("button", name="Preview the effect").click()
    tab = opened.value
    tab.wait_for_load_state("load")
    assert tab.get_by_role("heading", name=f"Asked first: “{question}”").first.is_visible()
    j11 = tab.locator(".module").filter(has_text="J11 (").first
    for answer, direction in (("Yes", "down"), ("No", "up")):
        block = j11.locator("details.preview-answer").filter(has_text=f"Answer “{answer}”")
        assert block.get_attribute("open") is not None  # a changed answer is shown open
        row = block.locator("tbody tr").filter(has=tab.locator(f".delta-{direction}"))
        row = row.filter(has_text=cause)
        assert row.count() == 1, f"{cause} moves {direction} after “{answer}”"
        before, after = row.locator(f".delta-{direction}").inner_text().split("→")
        assert before.strip() != after.strip()
    # after "yes" the frozen lock changes place: the rows it left and reached are highlighted
    yes = j11.locator("details.preview-answer").filter(has_text="Answer “Yes”")
    rows = yes.locator("tbody tr")
    places = [rows.nth(n).locator("td") for n in range(rows.count())]
    now = next(n for n, cells in enumerate(places) if cause in cells.nth(1).inner_text())
    edited = next(n for n, cells in enumerate(places) if cause in cells.nth(2).inner_text())
    assert now != edited
    assert "moved" in (rows.nth(now).get_attribute("class") or "")
    assert "moved" in (rows.nth(edited).get_attribute("class") or "")
    assert Likelihood.objects.get(pk=likelihood.pk).p_yes == likelihood.p_yes  # nothing saved
    SHOTS.mkdir(exist_ok=True)
    tab.screenshot(path=SHOTS / f"preview-likelihood-{width}.png", full_page=True)
    context.close()
