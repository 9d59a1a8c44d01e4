"""A likelihood is edited with its context (issue 21, item 3: "Likelihoods with their context").

The likelihood page lists the same question's value for every cause and for any other cause,
says what a "yes" and a "no" do to this cause, in the engine's own numbers, warns when a "yes"
would point away from the cause, and says that likelihoods hold for every generation. The
fault's and the question's pages show the effect per row.
"""

import html
import math
import re
from pathlib import Path

import pytest
from django.urls import reverse

from diagnosis import engine
from diagnosis.content import build
from kb import likelihood_context
from kb.likelihood_context import effect
from kb.models import Fault, Likelihood, Symptom

pytestmark = pytest.mark.django_db


def text(response) -> str:
    """The page's text, tags removed and spaces collapsed."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def pair(fault, symptom) -> Likelihood:
    return Likelihood.objects.get(fault__slug=fault, symptom__slug=symptom)


def page(admin_client, likelihood, **headers):
    url = reverse("admin:kb_likelihood_change", args=[likelihood.pk])
    return admin_client.get(url, **headers)


# --- the numbers are the engine's ------------------------------------------------------------


def test_the_clamp_is_the_engines():
    assert (likelihood_context.P_MIN, likelihood_context.P_MAX) == (engine.P_MIN, engine.P_MAX)


@pytest.mark.parametrize(
    "fault, symptom",
    [
        ("lock-frozen", "freezing-temperature"),
        ("trunk-fuse-blown", "fuse-intact"),
        ("key-fob-battery", "doors-lock-unlock-ok"),
        ("car-battery-discharged", "car-electrics-weak"),
        # members of questions with exclusive answers, read as one option each
        ("car-battery-discharged", "no-sound-on-press"),
        ("lock-frozen", "handle-stiff"),
        ("release-cable-broken", "handle-no-resistance"),
    ],
)
@pytest.mark.parametrize("answer", ["y", "n"])
def test_the_effect_is_how_the_engine_moves_the_cause(content, fault, symptom, answer):
    """After one answer, every cause's posterior is its prior times its factor, normalized:
    the factor shown in the admin is the one the engine multiplies by."""
    kb = build("nissan-qashqai", "trunk-wont-open").knowledge_bases["j11"]
    before, after = engine.posterior(kb, {}), engine.posterior(kb, {symptom: answer})
    question = Symptom.objects.get(slug=symptom)
    factors = {
        cause.slug: getattr(effect(cause, question), "yes" if answer == "y" else "no")
        for cause in Fault.objects.filter(problem=question.problem)
    }
    total = math.fsum(before[key] * factors[key] for key in before)
    for key in before:
        assert after[key] == pytest.approx(before[key] * factors[key] / total, rel=1e-9), key
    assert factors[fault] != pytest.approx(1.0)  # the pair itself moves its cause


# --- the likelihood page -----------------------------------------------------------------------


def test_the_likelihood_page_lists_every_cause_of_the_problem_and_any_other_cause(
    admin_client, content
):
    likelihood = pair("lock-frozen", "freezing-temperature")
    shown = text(page(admin_client, likelihood))
    assert "This question for every cause" in shown
    for fault in Fault.objects.filter(problem=likelihood.fault.problem):
        assert fault.name in shown
    assert "any other cause" in shown
    other = likelihood.symptom.p_yes_otherwise
    assert f"({other * 100:.4g} %)" in shown
    # a cause without a value for the question is said to answer as any other cause
    assert "not set: answers as any other cause" in shown


def test_the_edited_row_is_highlighted(admin_client, content):
    likelihood = pair("lock-frozen", "freezing-temperature")
    html = page(admin_client, likelihood).content.decode()
    edited = re.findall(r'<tr class="qp-edited">(.*?)</tr>', html, re.S)
    assert len(edited) == 1
    assert likelihood.fault.name in edited[0] and "this likelihood" in edited[0]


def test_the_effect_sentence_for_a_known_pair_matches_the_engine(admin_client, content):
    likelihood = pair("lock-frozen", "freezing-temperature")
    kb = build("nissan-qashqai", "trunk-wont-open").knowledge_bases["j11"]
    yes = (
        kb.p_yes("lock-frozen", "freezing-temperature")
        / kb.symptom("freezing-temperature").p_yes_otherwise
    )
    shown = text(page(admin_client, likelihood))
    assert f"a “yes” makes it {likelihood_context.factor(yes)}× more likely" in shown
    assert f"(×{likelihood_context.factor(yes)})" in shown
    assert "a “no” makes it" in shown and "less likely" in shown


def test_the_page_says_likelihoods_hold_for_every_generation(admin_client, content):
    shown = text(page(admin_client, pair("lock-frozen", "freezing-temperature")))
    assert "Likelihoods hold for every generation" in shown
    assert "J11" in shown


def test_a_value_below_any_other_cause_without_a_reason_is_warned_about_with_the_numbers(
    admin_client, content
):
    likelihood = pair("lock-frozen", "freezing-temperature")  # 15 % with any other cause
    likelihood.p_yes = 0.12
    likelihood.note = ""
    likelihood.save()
    shown = text(page(admin_client, likelihood))
    assert "A “yes” makes this cause less likely: ≈ " in shown
    assert "(12 %) is below" in shown and "(15 %), the value for any other cause" in shown


def test_a_value_above_any_other_cause_is_not_warned_about(admin_client, content):
    shown = text(page(admin_client, pair("lock-frozen", "freezing-temperature")))
    assert "makes this cause less likely" not in shown


def test_saving_a_value_below_any_other_cause_warns_but_saves(admin_client, content):
    from tests.test_admin import form_data

    likelihood = pair("lock-frozen", "freezing-temperature")
    url = reverse("admin:kb_likelihood_change", args=[likelihood.pk])
    data = form_data(admin_client.get(url))
    data.update({"p_yes_0": "exact", "p_yes_1": "12"})
    response = admin_client.post(url, data, follow=True)
    likelihood.refresh_from_db()
    assert likelihood.p_yes == pytest.approx(0.12)
    messages = [str(m) for m in response.context["messages"]]
    assert any("makes this cause less likely" in m for m in messages)


def test_a_value_below_any_other_cause_whose_note_says_why_is_not_warned_about(
    admin_client, content
):
    likelihood = pair("trunk-fuse-blown", "fuse-intact")  # a blown fuse is not intact
    shown = text(page(admin_client, likelihood))
    assert "Check:" not in shown
    assert "A “yes” makes this cause less likely, as its note says" in shown
    assert html.escape(likelihood.note) in shown


def test_no_shipped_likelihood_is_questioned(content):
    rows = Likelihood.objects.select_related("fault", "symptom")
    found = [(row, effect(row.fault, row.symptom, row.p_yes)) for row in rows]
    assert any(now.points_away for _row, now in found)  # signs against a cause exist
    questioned = [
        (row.fault.slug, row.symptom.slug)
        for row, now in found
        if likelihood_context.worth_a_warning(now, row.note)
    ]
    assert questioned == []
    away = sum(now.points_away for _row, now in found)
    guide = (Path(__file__).resolve().parent.parent / "docs" / "content.md").read_text()
    stated = f"Of the {len(found)} shipped likelihoods {away} point away"
    assert stated in re.sub(r"\s+", " ", guide), "docs/content.md states other figures"


def save_with(admin_client, likelihood, percent: str, note: str | None = None):
    from tests.test_admin import form_data

    url = reverse("admin:kb_likelihood_change", args=[likelihood.pk])
    data = form_data(admin_client.get(url))
    data.update({"p_yes_0": "exact", "p_yes_1": percent})
    if note is not None:
        data["note"] = note
    response = admin_client.post(url, data, follow=True)
    return [str(m) for m in response.context["messages"]]


def test_moving_a_value_below_with_its_reason_rewritten_is_not_warned_about(admin_client, content):
    likelihood = pair("lock-frozen", "freezing-temperature")
    messages = save_with(admin_client, likelihood, "12", note="Frost is rare where it sticks.")
    assert not any("makes this cause less likely" in m for m in messages)


def test_editing_a_value_that_already_pointed_away_keeps_its_reason(admin_client, content):
    messages = save_with(admin_client, pair("trunk-fuse-blown", "fuse-intact"), "5")
    assert not any("makes this cause less likely" in m for m in messages)


AWAY, TOWARD = likelihood_context.Effect(yes=0.5, no=1.2), likelihood_context.Effect(2, 0.8)


@pytest.mark.parametrize(
    ("now", "note", "before", "note_changed", "warned"),
    [
        (TOWARD, "", None, False, False),  # points to the cause: nothing to question
        (AWAY, "", None, False, True),  # no reason given
        (AWAY, "  ", AWAY, False, True),
        (AWAY, "A sign against it.", None, False, False),  # the note says why
        (AWAY, "A sign against it.", AWAY, False, False),  # was away already
        (AWAY, "Points to it.", TOWARD, False, True),  # just moved, note of the other side
        (AWAY, "A sign against it.", TOWARD, True, False),  # moved, and the note rewritten
    ],
)
def test_when_a_value_pointing_away_is_questioned(now, note, before, note_changed, warned):
    assert likelihood_context.worth_a_warning(now, note, before, note_changed) is warned


def test_the_add_page_shows_the_panel_once_the_question_is_given(admin_client, content):
    symptom = Symptom.objects.get(slug="fuse-intact")
    url = reverse("admin:kb_likelihood_add")
    assert "This question for every cause" not in text(admin_client.get(url))
    shown = text(admin_client.get(f"{url}?symptom={symptom.pk}"))
    assert "This question for every cause" in shown and "(97 %)" in shown


# --- the inlines -------------------------------------------------------------------------------


def test_the_fault_page_shows_each_questions_effect_and_any_other_cause(admin_client, content):
    fault = Fault.objects.get(slug="lock-frozen")
    shown = text(admin_client.get(reverse("admin:kb_fault_change", args=[fault.pk])))
    assert "What an answer does to this cause" in shown
    found = effect(fault, Symptom.objects.get(slug="freezing-temperature"))
    assert likelihood_context.short(found) in shown
    assert "With any other cause" in shown


def test_the_symptom_page_shows_any_other_cause_once_and_the_effect_per_cause(
    admin_client, content
):
    symptom = Symptom.objects.get(slug="fuse-intact")
    shown = text(admin_client.get(reverse("admin:kb_symptom_change", args=[symptom.pk])))
    assert shown.count("With any other cause (this question's own value, above)") == 1
    fuse = effect(Fault.objects.get(slug="trunk-fuse-blown"), symptom)
    assert likelihood_context.short(fuse) in shown
    assert "a sign against it (see the note)" in shown  # the fuse is not intact, as noted
    assert "a “yes” points away from this cause" not in shown


def test_a_row_pointing_away_with_no_note_is_marked(admin_client, content):
    fuse = Likelihood.objects.get(fault__slug="trunk-fuse-blown", symptom__slug="fuse-intact")
    fuse.note = ""
    fuse.save()
    url = reverse("admin:kb_symptom_change", args=[fuse.symptom_id])
    shown = text(admin_client.get(url))
    assert "a “yes” points away from this cause" in shown


# --- in Russian --------------------------------------------------------------------------------


def test_the_russian_likelihood_page_is_in_russian(admin_client, content):
    shown = text(
        page(admin_client, pair("lock-frozen", "freezing-temperature"), HTTP_ACCEPT_LANGUAGE="ru")
    )
    assert "This question for every cause" not in shown
    assert "any other cause" not in shown
    assert "Likelihoods hold for every generation" not in shown
    assert "Этот вопрос" in shown and "поколени" in shown
