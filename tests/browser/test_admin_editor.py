"""The admin in real Chromium as a content editor (the "Content editor" group only), at
desktop size: the content check, drafts, revert, restore and the rights of the role."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User

from kb.models import Fault, Likelihood, Problem

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1440, "height": 900}
SHOTS = Path(__file__).resolve().parents[2] / "screenshots"
PASSWORD = "pw-for-browser-tests-9"


def shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


@pytest.fixture
def editor_page(browser, live_site):
    user = User.objects.create_user("mechanic", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Content editor"))
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{live_site}/admin/login/")
    page.get_by_label("Username").fill("mechanic")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_site}/admin/")
    yield page
    context.close()


def save(page):
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state("load")


def test_content_check_names_the_fault_whose_share_was_broken(editor_page, live_site):
    page = editor_page
    fault = Fault.objects.get(slug="lock-frozen")
    # The editor makes every other cause of the problem a tiny share: lock-frozen dominates.
    Fault.objects.filter(problem=fault.problem).exclude(pk=fault.pk).update(share=0.0001)
    page.goto(f"{live_site}/admin/kb/fault/{fault.pk}/change/")
    save(page)
    message = page.locator(".messagelist .warning")
    assert "what you just saved: probably the cause" in message.inner_text()
    assert fault.name in message.inner_text()
    page.get_by_role("link", name="Content check").first.click()
    page.wait_for_url(f"{live_site}/admin/content-check/")
    first = page.locator(".cc-list li").filter(has_text="times likelier than a typical cause").first
    assert fault.name in first.inner_text()
    first.get_by_role("link").click()
    page.wait_for_url(f"{live_site}/admin/kb/fault/{fault.pk}/change/")
    page.goto(f"{live_site}/admin/content-check/")
    shot(page, "admin-content-check-desktop")


def test_a_draft_is_invisible_to_visitors_and_works_for_staff(editor_page, live_site, browser):
    page = editor_page
    problem = Problem.objects.get(slug="trunk-opens-then-closes")
    page.goto(f"{live_site}/admin/kb/problem/{problem.pk}/change/")
    page.get_by_label("Published").uncheck()
    save(page)
    assert not Problem.objects.get(pk=problem.pk).is_published

    visitor = browser.new_context(viewport=DESKTOP).new_page()
    base = f"{live_site}/nissan-qashqai/trunk-opens-then-closes/"
    assert visitor.goto(base).status == 404
    assert visitor.goto(base + "diagnose/?generation=j11").status == 404
    assert (
        "trunk-opens-then-closes"
        not in visitor.goto(f"{live_site}/sitemaps/models/nissan-qashqai.xml").text()
    )
    visitor.goto(f"{live_site}/search/?q=latch")
    assert "/faults/latch-misadjusted/" not in visitor.content()
    api = visitor.goto(
        f"{live_site}/api/v1/diagnose?model=nissan-qashqai&problem=trunk-opens-then-closes"
        "&generation=j11"
    )
    assert api.status == 400

    page.goto(base + "diagnose/?generation=j11")
    assert page.locator(".draft-banner").is_visible()
    page.locator("a.button-answer").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".draft-banner").count() == 1
    shot(page, "wizard-draft-banner-desktop")


def test_the_first_edit_of_a_shipped_likelihood_is_reverted(editor_page, live_site):
    page = editor_page
    likelihood = Likelihood.objects.get(
        fault__slug="lock-frozen", symptom__slug="freezing-temperature"
    )
    shipped = likelihood.p_yes
    page.goto(f"{live_site}/admin/kb/likelihood/{likelihood.pk}/change/")
    page.locator("#id_p_yes_1").fill("30")
    page.locator("#id_p_yes_0").select_option("exact")
    save(page)
    likelihood.refresh_from_db()
    assert likelihood.p_yes == pytest.approx(0.3)
    page.goto(f"{live_site}/admin/kb/likelihood/{likelihood.pk}/history/")
    shot(page, "admin-likelihood-history-desktop")
    page.get_by_role("link").filter(has_text=":").last.click()  # the oldest: as shipped
    page.get_by_role("button", name="Revert").click()
    page.wait_for_load_state("load")
    likelihood.refresh_from_db()
    assert likelihood.p_yes == shipped


def test_a_deleted_fault_is_restored_from_the_list(editor_page, live_site):
    page = editor_page
    fault = Fault.objects.get(slug="handle-broken")
    likelihoods = fault.likelihoods.count()
    page.goto(f"{live_site}/admin/kb/fault/{fault.pk}/delete/")
    page.get_by_role("button", name="Yes, I’m sure").click()
    page.wait_for_load_state("load")
    assert not Fault.objects.filter(pk=fault.pk).exists()
    page.get_by_role("link", name="Recently deleted").first.click()
    page.wait_for_url(f"{live_site}/admin/recently-deleted/")
    shot(page, "admin-recently-deleted-desktop")
    page.get_by_role("button", name=f"Restore fault “{fault.name}”").click()
    page.wait_for_load_state("load")
    assert "Restored fault" in page.locator(".messagelist").inner_text()
    assert Fault.objects.get(pk=fault.pk).likelihoods.count() == likelihoods


def test_deleting_a_vehicle_model_is_refused_for_an_editor(editor_page, live_site):
    page = editor_page
    model = Problem.objects.first().vehicle_model
    page.goto(f"{live_site}/admin/kb/vehiclemodel/{model.pk}/change/")
    assert page.locator("a.deletelink").count() == 0  # no delete button for an editor
    response = page.goto(f"{live_site}/admin/kb/vehiclemodel/{model.pk}/delete/")
    assert response.status == 403
    assert type(model).objects.filter(pk=model.pk).exists()


def test_the_preview_shows_the_ranking_change_before_saving(editor_page, live_site):
    page = editor_page
    fault = Fault.objects.get(slug="lock-gears-jammed")
    Fault.objects.filter(problem=fault.problem).exclude(pk=fault.pk).update(share=0.01)
    page.goto(f"{live_site}/admin/kb/fault/{fault.pk}/change/")
    page.get_by_label("Share").fill("0,0001")
    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Preview the effect").click()
    preview = opened.value
    preview.wait_for_load_state("load")
    text = preview.locator("#content-main").inner_text()
    assert "the first cause changes" in text
    first_rows = preview.locator("table.first-ranking tr.changed")
    assert first_rows.count() == 4  # every generation
    assert fault.name in first_rows.first.inner_text()
    preview.set_viewport_size(DESKTOP)
    shot(preview, "admin-preview-effect-desktop")
    fault.refresh_from_db()
    assert fault.share == 1.0 or fault.share != 0.0001  # nothing saved
    assert Fault.objects.get(pk=fault.pk).share != 0.0001


def test_the_preview_shows_a_likelihood_edit_after_its_question(editor_page, live_site):
    page = editor_page
    likelihood = Likelihood.objects.get(
        fault__slug="lock-frozen", symptom__slug="freezing-temperature"
    )
    page.goto(f"{live_site}/admin/kb/likelihood/{likelihood.pk}/change/")
    page.locator("#id_p_yes_0").select_option("exact")
    page.locator("#id_p_yes_1").fill("1")  # almost always (95 %) -> 1 %
    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Preview the effect").click()
    preview = opened.value
    preview.wait_for_load_state("load")
    text = preview.locator("#content-main").inner_text()
    assert "Asked first" in text and "▼" in text and "fails" in text
    assert preview.locator(".preview-cases tr.flips").count() >= 1
    for name, size in [("phone", {"width": 390, "height": 844}), ("desktop", DESKTOP)]:
        preview.set_viewport_size(size)
        shot(preview, f"admin-preview-likelihood-{name}")
        # the tables of test cases fit the screen: nothing to scroll sideways
        assert preview.evaluate("document.documentElement.scrollWidth") <= size["width"]
    assert Likelihood.objects.get(pk=likelihood.pk).p_yes == likelihood.p_yes  # nothing saved


def test_screens_an_editor_works_in(editor_page, live_site):
    page = editor_page
    page.goto(f"{live_site}/admin/")
    shot(page, "admin-index-guided-desktop")
    likelihood = Likelihood.objects.get(
        fault__slug="lock-frozen", symptom__slug="freezing-temperature"
    )
    page.goto(f"{live_site}/admin/kb/fault/{likelihood.fault_id}/change/")
    assert page.get_by_role("option", name="usually (80 %)").count() >= 1
    shot(page, "admin-fault-likelihoods-in-words-desktop")


def test_language_tabs_show_one_language_and_open_the_one_with_an_error(editor_page, live_site):
    page = editor_page
    fault = Fault.objects.get(slug="lock-frozen")
    page.goto(f"{live_site}/admin/kb/fault/{fault.pk}/change/")
    english = page.get_by_role("button", name="English")
    russian = page.get_by_role("button", name="Русский")
    assert english.get_attribute("aria-pressed") == "true"  # the admin's language
    assert page.locator("#id_name_en").is_visible()
    assert not page.locator("#id_name_ru").is_visible()
    assert page.locator("#id_share").is_visible()  # fields without a language stay
    russian.click()
    assert page.locator("#id_name_ru").input_value() == "Замок замёрз"
    assert page.locator("#id_name_ru").is_visible()
    assert not page.locator("#id_name_en").is_visible()
    # Over the 150 characters a name may have (the browser's maxlength lifted, as an old
    # browser or a script would send it): the server refuses it on the Russian field.
    page.locator("#id_name_ru").evaluate("field => field.removeAttribute('maxlength')")
    page.locator("#id_name_ru").fill("Я" * 151)
    english.click()
    save(page)
    # The form comes back with the error: its tab is marked and open, not the default one.
    assert russian.get_attribute("aria-pressed") == "true"
    assert "language-tab-error" in (russian.get_attribute("class") or "")
    assert "language-tab-error" not in (english.get_attribute("class") or "")
    assert page.locator("#id_name_ru").is_visible()
    fault.refresh_from_db()
    assert (fault.name_en, fault.name_ru) == ("Lock frozen", "Замок замёрз")
