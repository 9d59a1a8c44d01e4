"""The task of issue 21, as a mechanic with the Content editor role does it in Chromium: add the
cause "trunk lid wiring harness broken at the hinge" to J11's "trunk won't open" with its
4-step repair, one new question and its likelihoods; see in the preview that the shop's test
case for it fails, fix the likelihood, see it pass, save, and reach the cause first in the
public wizard. The page loads and saves it takes are counted: docs/content.md keeps the count.
"""

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Group, User

from diagnosis.models import ScenarioCase
from kb.models import Fault, Generation, Problem, Procedure, Symptom

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "screenshots"
PASSWORD = "pw-for-browser-tests-9"
DESKTOP = {"width": 1280, "height": 900}
TASK_LOADS = 9  # pages shown: 3 add pages, the shares, 2 preview tabs, 3 after a save

CAUSE = "Trunk lid wiring harness broken at the hinge"
HARNESS = "trunk-lid-wiring-harness-broken-hinge"
QUESTION = "Are the wires in the rubber boot between the body and the lid cracked or broken?"
SLUG = "wires-rubber-boot-between-body-lid-cracked-broken"
FACTS = {  # what the owner of the shop's case knows
    SLUG: "y",
    "no-sound-on-press": "y",
    "motor-clicks-lid-stays": "n",
    "doors-lock-unlock-ok": "y",
    "car-electrics-weak": "n",
    "key-not-detected": "n",
    "fuse-intact": "y",
}
STEPS = [
    ("Open the trunk from inside", "Fold the rear seats and release the lock with a screwdriver."),
    ("Find the break", "Peel back the rubber boot at the left hinge and flex the lid slowly."),
    ("Splice the wires", "Cut out the broken part, solder in new wire, cover with heat shrink."),
    ("Check the lock", "Close the lid and press the trunk button: the lock must click open."),
]


class Counter:
    """Pages the editor is shown, in every tab of the context (the preview opens its own; a
    redirect after a save is not a page of its own), and forms sent: saves, and presses of
    "Preview the effect"."""

    def __init__(self, context):
        self.loads, self.saves, self.previews = 0, 0, 0
        context.on("request", self.count_request)
        context.on("response", self.count_response)

    def count_request(self, request):
        if request.method == "POST" and request.resource_type == "document":
            if request.url.endswith("/preview/"):
                self.previews += 1
            else:
                self.saves += 1

    def count_response(self, response):
        if response.request.resource_type == "document" and not 300 <= response.status < 400:
            self.loads += 1


@pytest.fixture
def editor(browser, live_site):
    user = User.objects.create_user("mechanic", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Content editor"))
    context = browser.new_context(viewport=DESKTOP)
    counter = Counter(context)
    page = context.new_page()
    page.goto(f"{live_site}/admin/login/")
    page.get_by_label("Username").fill("mechanic")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_site}/admin/")
    counter.loads = counter.saves = counter.previews = 0  # the task starts on the index
    yield context, page, counter
    context.close()


@pytest.fixture
def harness_case(live_site):
    """The shop's own case, kept before the cause and its question exist."""
    problem = Problem.objects.get(slug="trunk-wont-open")
    return ScenarioCase.objects.create(
        problem=problem,
        generation=Generation.objects.get(vehicle_model=problem.vehicle_model, code="j11"),
        name="J11: silence, doors fine, the wires at the hinge broken",
        slug="j11-harness",
        facts=FACTS,
        first=HARNESS,
    )


def save(page):
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state("load")
    fields = page.evaluate(
        """[...document.querySelectorAll('.errorlist')].map(e =>
            (e.closest('[class*=field-]') || e.parentElement).className + ': ' + e.innerText)"""
    )
    assert page.locator(".errornote").count() == 0, fields


def choose_percent(page, name, percent):
    page.locator(f"select[name='{name}_0']").select_option("exact")
    page.locator(f"input[name='{name}_1']").fill(str(percent))


def shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def add_procedure(page, live_site):
    page.goto(f"{live_site}/admin/kb/procedure/add/")
    page.locator("#id_vehicle_model").select_option(label="Nissan Qashqai")
    page.locator("#id_title_en").fill("Repair the trunk lid wiring harness at the hinge")
    page.locator("#id_summary_en").fill("Find and splice the broken wires in the hinge boot.")
    page.locator("#id_kind").select_option("repair")
    page.locator("#id_difficulty").select_option("2")
    page.locator("#id_time_min_minutes").fill("60")
    page.locator("#id_time_max_minutes").fill("120")
    for number, (title, text) in enumerate(STEPS):
        page.locator("#steps-group .add-row a").click()
        page.locator(f"#id_steps-{number}-title_en").fill(title)
        page.locator(f"#id_steps-{number}-text_en").fill(text)
    save(page)


def add_cause(page, live_site):
    page.goto(f"{live_site}/admin/kb/fault/add/")
    page.locator("#id_problem").select_option(label="Nissan Qashqai: Trunk won't open")
    page.locator("#id_group").select_option(label="Electronics failure")
    page.locator("#id_name_en").fill(CAUSE)
    page.locator("#id_share").fill("0,2")
    page.get_by_role("button", name="Show its type's shares").click()
    page.wait_for_load_state("load")
    assert page.locator(".share-table tbody tr").count() == 5
    assert page.locator(".starting-chances li").count() == 4
    page.locator("#id_summary_en").fill("The wires flexed at every opening break inside the boot.")
    page.locator("#id_description_en").fill("Years of opening bend the harness at the left hinge.")
    page.locator("#id_category").select_option("electrical")
    page.locator("#id_procedures_from option").filter(has_text="wiring harness").dblclick()
    for row, (symptom, percent) in enumerate(
        {"no-sound-on-press": 90, "doors-lock-unlock-ok": 95}.items()
    ):
        page.locator("#likelihoods-group .add-row a").click()
        label = Symptom.objects.get(slug=symptom).question
        page.locator(f"#id_likelihoods-{row}-symptom").select_option(label=label)
        choose_percent(page, f"likelihoods-{row}-p_yes", percent)
    for width, height in [(1280, 900), (390, 844)]:
        page.set_viewport_size({"width": width, "height": height})
        shot(page, f"admin-new-cause-{width}")
        page.locator(".new-cause-shares").screenshot(
            path=SHOTS / f"admin-new-cause-shares-{width}.png"
        )
    page.set_viewport_size(DESKTOP)
    save(page)


def preview_case(context, page):
    """Press "Preview the effect"; the case's verdict with the edit, from the new tab."""
    with context.expect_page() as opened:
        page.get_by_role("button", name="Preview the effect").click()
    tab = opened.value
    tab.wait_for_load_state("load")
    j11 = tab.locator(".module").filter(has_text="J11 (").first
    row = j11.locator(".preview-cases tbody tr").filter(has_text="wires at the hinge broken")
    verdict = row.locator("td").nth(2).inner_text()
    return tab, verdict


def add_question(context, page, live_site, harness):
    page.goto(f"{live_site}/admin/kb/symptom/add/")
    page.locator("#id_problem").select_option(label="Nissan Qashqai: Trunk won't open")
    page.locator("#id_question_en").fill(QUESTION)
    page.locator("#id_statement_en").fill("the wires at the hinge are broken")
    page.locator("#id_effort").select_option("1")
    choose_percent(page, "p_yes_otherwise", 5)
    page.locator("#likelihoods-group .add-row a").click()
    page.locator("#id_likelihoods-0-fault").select_option(label=harness.name)
    choose_percent(page, "likelihoods-0-p_yes", 10)  # a slip: meant 90
    tab, verdict = preview_case(context, page)
    assert verdict.startswith("fails") and "does not ask it" in verdict
    tab.close()
    choose_percent(page, "likelihoods-0-p_yes", 90)
    tab, verdict = preview_case(context, page)
    assert verdict.startswith("passes") and f"first: {CAUSE}" in verdict
    assert "asks it as question" in verdict
    cases = tab.locator(".module").filter(has_text="J11 (").first.locator(".preview-cases")
    for width, height in [(1280, 900), (390, 844)]:
        tab.set_viewport_size({"width": width, "height": height})
        shot(tab, f"admin-new-question-preview-{width}")
        cases.screenshot(path=SHOTS / f"admin-new-question-cases-{width}.png")
    tab.close()
    save(page)


def owner_option(page, facts):
    """The answer the case's owner gives: the option whose new answers agree most with what
    the owner knows (what is not known is "don't know")."""
    current = parse_qs(urlsplit(page.url).query).get("answers", [""])[0]
    known = set(filter(None, current.split(",")))

    def agreement(link):
        query = parse_qs(urlsplit(link.get_attribute("href")).query)
        added = set(query.get("answers", [""])[0].split(",")) - known
        return sum(facts.get(token.split(":")[0], "u") == token.split(":")[1] for token in added)

    links = page.locator("ul.answers a.button-answer").all()
    return max(links, key=agreement)


def test_a_content_editor_adds_a_cause_and_owners_reach_it_first(
    editor, harness_case, live_site, browser
):
    context, page, counter = editor
    add_procedure(page, live_site)
    add_cause(page, live_site)
    harness = Fault.objects.get(slug=HARNESS)
    assert Procedure.objects.get(faults=harness).steps.count() == 4
    assert sum(
        Fault.objects.filter(problem=harness.problem, group=harness.group).values_list(
            "share", flat=True
        )
    ) == pytest.approx(1, abs=1e-3)
    add_question(context, page, live_site, harness)
    assert Symptom.objects.filter(slug=SLUG).exists()

    owner = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    owner.goto(f"{live_site}/nissan-qashqai/trunk-wont-open/diagnose/?generation=j11")
    for _ in range(12):
        if owner.locator("a.button-answer").count() == 0:
            break
        before = owner.url
        owner_option(owner, FACTS).click()
        owner.wait_for_function("u => location.href !== u", arg=before)
        owner.wait_for_load_state("load")
    first = owner.locator(".cause-list li.cause").first
    assert CAUSE in first.inner_text()
    # docs/content.md ("The new cause task, counted") keeps these figures: a change that
    # makes the task longer shows here first.
    assert (counter.loads, counter.saves, counter.previews) == (TASK_LOADS, 3, 2)
