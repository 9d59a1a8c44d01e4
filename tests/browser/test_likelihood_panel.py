"""The likelihood page's "This question for every cause" panel in real Chromium, on a phone
and at desktop size: shown whole, within the screen, with no style the CSP blocks."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User

from kb.models import Likelihood

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "screenshots"
PASSWORD = "pw-for-browser-tests-9"


@pytest.mark.parametrize("width, height", [(390, 844), (1280, 900)])
def test_the_likelihood_page_shows_the_question_for_every_cause(browser, live_site, width, height):
    User.objects.create_superuser("lead", password=PASSWORD)
    likelihood = Likelihood.objects.get(
        fault__slug="lock-frozen", symptom__slug="freezing-temperature"
    )
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else 0)
    page.goto(f"{live_site}/admin/login/")
    page.get_by_label("Username").fill("lead")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_site}/admin/")
    page.goto(f"{live_site}/admin/kb/likelihood/{likelihood.pk}/change/")
    panel = page.locator(".question-panel")
    assert panel.get_by_role("heading", name="This question for every cause").is_visible()
    assert panel.locator("tr.qp-edited").count() == 1
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1
    SHOTS.mkdir(exist_ok=True)
    panel.scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / f"likelihood-panel-{width}.png", full_page=True)
    assert blocked == []
    context.close()
