"""The parts of a step built once per compiled problem (diagnosis/step_html.py; the page's frame,
diagnosis/frame.py) follow the content and the language: a staff edit shows on the next step,
and each language has its own words, links and labels, whichever language asked first."""

import re

import pytest
from django.template import Context, Template

from diagnosis import result_form
from kb.models import Fault, Problem, Procedure, Symptom
from tests.step_state import outcome_of

pytestmark = pytest.mark.django_db

WIZARD = "/nissan-qashqai/trunk-wont-open/diagnose/"


def step(client, path, answers):
    response = client.get(path, {"generation": "j11", "answers": answers}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def test_an_edited_question_and_cause_name_show_on_the_next_step(
    client, content, django_capture_on_commit_callbacks
):
    before = step(client, WIZARD, "fuse-intact:n")
    asked = Symptom.objects.get(slug="fuse-intact")
    assert f'<span class="q">{asked.question}</span>' in before
    leading = Fault.objects.get(slug="trunk-fuse-blown")
    assert f">{leading.short_name}</a>" in before

    with django_capture_on_commit_callbacks(execute=True):  # the version moves on COMMIT
        asked.question = "Is the fuse whole (edited)?"
        asked.save()
        leading.short_name = "Fuse gone (edited)"
        leading.save()

    after = step(client, WIZARD, "fuse-intact:n,water-near-lock:n")
    assert '<span class="q">Is the fuse whole (edited)?</span>' in after
    assert ">Fuse gone (edited)</a>" in after


def test_each_language_gets_its_own_words_links_and_labels(client, content):
    russian = step(client, "/ru" + WIZARD, "fuse-intact:n")
    english = step(client, WIZARD, "fuse-intact:n")

    assert 'aria-label="Изменить ответ"' in russian and ">Убрать</a>" in russian
    assert 'aria-label="Change the answer"' in english and ">Remove</a>" in english
    buttons = {
        html: re.findall(r'button-answer [^"]*" href="([^"]*)"', html)
        for html in (russian, english)
    }
    assert buttons[russian] and all(url.startswith("/ru/") for url in buttons[russian])
    assert buttons[english] and not any(url.startswith("/ru/") for url in buttons[english])
    assert ">Да</a>" in russian and ">Yes</a>" in english
    assert 'href="/ru/nissan-qashqai/trunk-wont-open/faults/trunk-fuse-blown/"' in russian
    assert 'href="/nissan-qashqai/trunk-wont-open/faults/trunk-fuse-blown/"' in english
    assert "Вопрос 2 · " in russian and "Question 2 · " in english


def test_the_answers_and_the_causes_are_escaped(
    client, content, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Symptom.objects.filter(slug="fuse-intact").update(question="Is it <b>silent</b> & dead?")
        Fault.objects.get(slug="trunk-fuse-blown").save()  # moves the content version
    html = step(client, WIZARD, "fuse-intact:n")
    assert '<span class="q">Is it &lt;b&gt;silent&lt;/b&gt; &amp; dead?</span>' in html


def test_an_edited_procedure_shows_on_the_next_result(
    client, content, django_capture_on_commit_callbacks
):
    every_no = ",".join(
        f"{slug}:n"
        for slug in sorted(
            Symptom.objects.filter(problem__slug="trunk-wont-open").values_list("slug", flat=True)
        )
    )
    first = client.get(WIZARD, {"generation": "j12", "answers": every_no}, HTTP_HX_REQUEST="true")
    assert outcome_of(first).done
    card = outcome_of(first).top_causes[0].procedures[0]
    assert f"{card.title}</summary>" in first.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        procedure = Procedure.objects.get(slug=card.slug, vehicle_model__slug="nissan-qashqai")
        procedure.title = "Check the fuse (edited)"
        procedure.save()

    again = client.get(WIZARD, {"generation": "j11", "answers": every_no}, HTTP_HX_REQUEST="true")
    assert outcome_of(again).top_causes[0].procedures[0].slug == card.slug
    assert "Check the fuse (edited)</summary>" in again.content.decode()


# --- the page's frame (diagnosis/frame.py): rendered once per problem, filled per state -------


def page(client, path, query):
    response = client.get(f"{path}?{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_each_page_of_a_problem_has_its_own_title_switch_and_step_in_the_shared_frame(
    client, content
):
    first = page(client, WIZARD, "generation=j11")
    second = page(client, WIZARD, "generation=j11&answers=fuse-intact:n")

    for html, number, query in (
        (first, 1, "generation=j11"),
        (second, 2, "generation=j11&amp;answers=fuse-intact:n"),
    ):
        title = re.search(r"<title>(.*?)</title>", html).group(1)
        assert title.startswith(f"Question {number} – ")
        assert f'<meta property="og:title" content="{title}">' in html
        assert f'href="/ru{WIZARD}?{query}" hreflang="ru"' in html
        assert f'<p class="progress">Question {number} · ' in html
    assert first.count('<div id="step"') == second.count('<div id="step"') == 1


def test_an_edited_problem_title_shows_in_the_frame_of_the_next_page(
    client, content, django_capture_on_commit_callbacks
):
    assert "Trunk will not open (edited)" not in page(client, WIZARD, "generation=j11")
    problem = Problem.objects.get(slug="trunk-wont-open")

    with django_capture_on_commit_callbacks(execute=True):  # the version moves on COMMIT
        problem.title = "Trunk will not open (edited)"
        problem.save()

    after = page(client, WIZARD, "generation=j10")
    assert '<h1 class="wizard-title">Trunk will not open (edited): find the cause</h1>' in after
    assert "<title>Question 1 – Trunk will not open (edited): find the cause" in after


def test_a_result_numbers_its_fix_sections_and_gives_each_its_share(client, content):
    answers = (
        "handle-no-resistance:n,key-button-dead-lid-button-works:y,lid-press-releases:n,"
        "motor-clicks-lid-stays:n,no-sound-on-press:u"
    )
    html = step(client, WIZARD, answers)
    headings = re.findall(
        r'<h2 id="fix-([^"]*)">(\d+)\. [^<]*<span class="percent">([^<]*)</span>', html
    )
    assert [number for _, number, _ in headings] == ["1", "2"]
    # each cause's share as the cause list gives it, in the same order
    listed = re.findall(
        r'href="[^"]*/faults/([^/]*)/"[^>]*>[^<]*</a> <strong class="percent">([^<]*)<', html
    )
    assert [(slug, share) for slug, _, share in headings] == listed[:2]


def test_a_step_shaped_like_one_seen_before_is_joined_from_its_own_parts(client, content):
    first = client.get(
        WIZARD, {"generation": "j11", "answers": "fuse-intact:n"}, HTTP_HX_REQUEST="true"
    )
    assert "step" in [t.name for t in first.templates]  # a shape not seen yet: rendered

    # the same branches of wizard.html#step: a question, the causes so far, one answer
    second = client.get(
        WIZARD, {"generation": "j11", "answers": "fuse-intact:y"}, HTTP_HX_REQUEST="true"
    )
    assert second.status_code == 200 and not second.templates  # no template rendered
    html = second.content.decode()
    assert html.count('<strong class="chip chip-current" aria-current="true">') == 1
    current = re.search(r'aria-current="true">([^<]*)<', html).group(1)
    assert current == "Yes" != re.search(r'aria-current="true">([^<]*)<', first.content.decode())[1]
    assert 'data-hx-swap-oob="true"' in html  # the language switch, out of band
    assert f"{WIZARD}?generation=j11&amp;answers=fuse-intact:y" in html  # its own switch links


def test_a_page_and_a_fragment_of_one_state_share_the_step_but_not_the_switch(client, content):
    query = {"generation": "j11", "answers": "fuse-intact:n"}
    fragment = client.get(WIZARD, query, HTTP_HX_REQUEST="true").content.decode()
    whole = client.get(WIZARD, query).content.decode()
    step_of_page = whole.split('aria-live="polite">\n', 1)[1].rsplit("\n</div>", 1)[0]

    switch = re.search(r'<nav class="lang-switch"[^>]*data-hx-swap-oob="true">.*?</nav>', fragment)
    assert switch and fragment.replace(switch.group(0), "", 1) in step_of_page + "\n"
    assert 'data-hx-swap-oob="true"' not in whole


def test_the_errors_of_a_query_are_listed_escaped_in_the_step(client, content):
    response = client.get(
        WIZARD,
        {"generation": "j11", "answers": "fuse-intact:n,<b>x</b>:y"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    html = response.content.decode()
    alert = html.split('role="alert"')[1].split("</div>")[0]
    assert "<li>" in alert and "<b>" not in alert
    assert "Your other answers are kept." in alert
    assert '<strong class="chip chip-current"' in html  # the answer it could use


RESULT = (  # every answer "no" in j12: a result, which ends with the report form
    "handle-no-resistance:n,key-button-dead-lid-button-works:y,lid-press-releases:n,"
    "motor-clicks-lid-stays:n,no-sound-on-press:u"
)


def test_a_result_shows_the_report_form_the_reports_tag_writes(client, content):
    response = client.get(WIZARD, {"generation": "j11", "answers": RESULT}, HTTP_HX_REQUEST="true")
    outcome = outcome_of(response)
    assert outcome.done
    tag = Template("{% load reports %}{% report_form compiled outcome=outcome %}").render(
        Context({"compiled": outcome.compiled, "outcome": outcome})
    )
    token = re.compile(r'name="report_token" value="[^"]*"')
    assert '<section class="card report" id="report"' in tag
    assert token.sub("", tag) in token.sub("", response.content.decode())


def test_without_the_reports_app_a_result_shows_no_form(client, content, monkeypatch):
    monkeypatch.setattr(result_form, "_form", [])
    response = client.get(WIZARD, {"generation": "j11", "answers": RESULT}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="report"' not in html and 'class="card share"' in html


@pytest.mark.parametrize("headers", [{}, {"HTTP_HX_REQUEST": "true"}], ids=["page", "fragment"])
def test_a_page_or_fragment_shaped_like_one_seen_before_renders_no_step_template(
    client, content, headers
):
    client.get(WIZARD, {"generation": "j11", "answers": "fuse-intact:n"}, **headers)
    second = client.get(WIZARD, {"generation": "j11", "answers": "fuse-intact:y"}, **headers)
    assert second.status_code == 200
    assert "step" not in [t.name for t in second.templates]  # one shape, kept once
