"""No-break spaces in Russian content (issue 22, item 3): «в» never ends a line and «В» of
«12 В» never starts one. kb/typography.py does it on hand-made strings; the content layer
applies it where a Russian text reaches a page (the fault page, a wizard step, a result), and
the database keeps what staff typed."""

import re
from html.parser import HTMLParser

import pytest
from django.utils import translation

from kb.models import Fault, Procedure, QuestionGroup, Symptom
from kb.typography import NBSP, russian_nbsp

WIZARD = "/ru/nissan-qashqai/trunk-wont-open/diagnose/"
# The battery's signs on a J11: a finished result whose first cause is the battery.
BATTERY = "/ru/nissan-qashqai/trunk-wont-open/faults/car-battery-discharged/"


def shown(text: str) -> str:
    """Spaces written as «~» so an assertion shows which are no-break ones."""
    return text.replace(NBSP, "~")


# --- The function, on hand-made strings ------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "typeset"),
    [
        ("Проверьте в сервисе", "Проверьте в~сервисе"),
        ("к замку и от замка", "к~замку и~от~замка"),
        ("Не открывается, а щёлкает", "Не~открывается, а~щёлкает"),
        ("из-за мороза", "из-за~мороза"),
        ("Аккумулятор 12 В слишком слаб", "Аккумулятор 12~В слишком слаб"),
        ("около 10 мин или 2 часа", "около 10~мин или 2~часа"),
        ("15 000–25 000 ₽ за замок", "15~000–25~000~₽ за~замок"),
        ("в 17 раз чаще", "в~17~раз чаще"),
        ("1 200 000 км", "1~200~000~км"),
        ("Замок — сердце системы", "Замок~— сердце системы"),
        ("2014 – 2017", "2014~– 2017"),
    ],
)
def test_russian_texts_get_no_break_spaces_where_a_typesetter_puts_them(typed, typeset):
    assert shown(russian_nbsp(typed)) == typeset


@pytest.mark.parametrize(
    "text",
    [
        "Есть ли звук?",  # «ли» and «же» lean on the word before them
        "Так же просто",
        "Что-то другое",
        "J11 2014 2017",  # years side by side are not thousands
        "Без коротких слов",
        "в\nдоме",  # a line break stays a line break
        "",
    ],
)
def test_what_needs_no_no_break_space_is_left_as_it_is(text):
    assert russian_nbsp(text) == text


def test_markup_and_addresses_are_never_changed():
    text = 'См. <a href="/ru/в путь/" title="и так">в инструкции</a> и https://example.com/a в b'
    assert shown(russian_nbsp(text)) == (
        'См. <a href="/ru/в путь/" title="и так">в~инструкции</a> и~https://example.com/a в~b'
    )
    assert shown(russian_nbsp("пишите на a@b.ru и ждите")) == "пишите на~a@b.ru и~ждите"


@pytest.mark.parametrize(
    "text",
    [
        "Аккумулятор 12 В и замок в машине — 15 000 ₽ за 1–2 ч",
        "в к с у о и а",
        "из-за в 5 000 руб.",
    ],
)
def test_typesetting_twice_changes_nothing_more(text):
    once = russian_nbsp(text)
    assert russian_nbsp(once) == once
    assert once.replace(NBSP, " ") == text  # only spaces change


def test_non_text_values_come_back_unchanged():
    assert russian_nbsp(None) is None
    assert russian_nbsp(42) == 42


# --- Where it is applied ---------------------------------------------------------------------


def test_the_database_keeps_the_text_as_staff_typed_it_and_russian_reading_is_typeset(content):
    fault = Fault.objects.get(slug="car-battery-discharged")
    assert fault.name_ru == "Аккумулятор 12 В слишком слаб, чтобы сработал замок"
    with translation.override("ru"):
        assert shown(fault.name) == "Аккумулятор 12~В слишком слаб, чтобы сработал замок"
    with translation.override("en"):
        assert NBSP not in fault.name and fault.name == fault.name_en


def test_an_english_fallback_is_not_typeset_as_russian(content):
    fault = Fault.objects.get(slug="car-battery-discharged")
    fault.summary_ru = ""
    with translation.override("ru"):
        assert fault.summary == fault.summary_en


class Text(HTMLParser):
    """The text of <main> outside scripts and styles, no-break spaces kept."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self._skip, self._main = [], 0, 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")
        self._main += tag == "main"

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style")
        self._main -= tag == "main"

    def handle_data(self, data):
        if self._main and not self._skip:
            self.parts.append(data)

    @classmethod
    def of(cls, html: str) -> str:
        parser = cls()
        parser.feed(html)
        return re.sub(r"[ \t\r\n]+", " ", " ".join(parser.parts))


def lines_of(*texts: str) -> list[str]:
    """The content's lines that need a no-break space (a page may split a text at its breaks)."""
    lines = {line.strip() for text in texts for line in (text or "").splitlines()}
    return [line for line in lines if russian_nbsp(line) != line]


def typeset_main(client, path: str) -> str:
    response = client.get(path, follow=True)
    assert response.status_code == 200
    return Text.of(response.content.decode())


def test_a_russian_fault_page_breaks_no_line_after_v_or_before_the_unit(client, content):
    fault = Fault.objects.get(slug="car-battery-discharged")
    page = typeset_main(client, BATTERY)
    assert "12\xa0В" in page and "12 В" not in page
    lines = lines_of(fault.name_ru, fault.summary_ru, fault.description_ru, fault.signs_ru)
    checked = [line for line in lines if russian_nbsp(line) in page]
    assert len(checked) >= 3, shown(page)
    for line in lines:
        assert line not in page, f"shown with breaking spaces: {line!r}"


def test_a_russian_wizard_step_shows_its_question_typeset(client, content):
    page = typeset_main(client, f"{WIZARD}?generation=j11&answers=no-sound-on-press:y")
    symptoms = Symptom.objects.filter(problem__slug="trunk-wont-open")
    groups = QuestionGroup.objects.filter(problem__slug="trunk-wont-open")
    texts = [text for s in symptoms for text in (s.question_ru, s.help_text_ru, s.option_label_ru)]
    texts += [text for g in groups for text in (g.question_ru, g.help_text_ru, g.none_label_ru)]
    lines = lines_of(*texts)
    found = [line for line in lines if russian_nbsp(line) in page]
    assert found, "the step's question or help holds no short word: pick another step"
    assert not [line for line in lines if line in page]


def test_a_russian_result_shows_names_summaries_and_steps_typeset(client, content):
    page = typeset_main(
        client,
        f"{WIZARD}?generation=j11&answers=car-electrics-weak:y,no-sound-on-press:y",
    )
    faults = Fault.objects.filter(problem__slug="trunk-wont-open")
    procedures = Procedure.objects.filter(vehicle_model__slug="nissan-qashqai")
    texts = [text for f in faults for text in (f.name_ru, f.summary_ru)]
    texts += [text for p in procedures for text in (p.title_ru, p.summary_ru)]
    texts += [text for p in procedures for step in p.steps.all() for text in (step.text_ru,)]
    lines = lines_of(*texts)
    assert len([line for line in lines if russian_nbsp(line) in page]) >= 3
    assert not [line for line in lines if line in page]
    assert "12\xa0В" in page and "12 В" not in page
