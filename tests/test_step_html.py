"""The parts of a step built once per compiled problem (diagnosis/step_html.py) follow the
content and the language: a staff edit shows on the next step, and each language has its own
words, links and labels, whichever language asked first."""

import re

import pytest

from kb.models import Fault, Procedure, Symptom

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
    assert first.context["outcome"].done
    card = first.context["outcome"].top_causes[0].procedures[0]
    assert f"{card.title}</summary>" in first.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        procedure = Procedure.objects.get(slug=card.slug, vehicle_model__slug="nissan-qashqai")
        procedure.title = "Check the fuse (edited)"
        procedure.save()

    again = client.get(WIZARD, {"generation": "j11", "answers": every_no}, HTTP_HX_REQUEST="true")
    assert again.context["outcome"].top_causes[0].procedures[0].slug == card.slug
    assert "Check the fuse (edited)</summary>" in again.content.decode()
