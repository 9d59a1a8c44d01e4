"""Sentences written per language, not assembled (issue 22, item 1): each fault's short name in
headings, lists, "why we ask", the report form and print; reasons as one whole sentence per case
with the question quoted as a question, the answer stated and the factor in its plural form."""

import html
import math
import re

import pytest
from django.utils import translation

from diagnosis import service
from diagnosis.content import GroupInfo, SymptomInfo
from diagnosis.service import Reason, mid_sentence
from kb import numbers
from kb.models import Fault

WIZARD = "/nissan-qashqai/trunk-wont-open/diagnose/"
# Seven answers that all point at the broken cable: the wizard has finished (test_reports_web).
DONE = (
    "freezing-temperature:n,handle-cracked:n,handle-no-resistance:y,high-mileage-yanked:y,"
    "lid-press-releases:n,motor-clicks-lid-stays:y,no-sound-on-press:n"
)
RESULT = f"{WIZARD}?generation=j10&answers={DONE}"
NBSP = "\u00a0"

# A yes/no question and a question with exclusive answers, as the wizard shows them.
LID = SymptomInfo(
    slug="lid-stays-up",
    question="Does the lid stay up?",
    help_text="",
    statement="The lid stays up",
    effort=1,
)
PRESS = GroupInfo(
    slug="press-result",
    question="What happens when you press the button?",
    help_text="",
    effort=1,
    none_label="Something else",
    members=("silence",),
)
SILENCE = SymptomInfo(
    slug="silence",
    question="Silence?",
    help_text="",
    statement="Silence",
    effort=1,
    group="press-result",
    option_label="Complete silence",
)


def reason(kind: str, factor: float, raises: bool = True) -> Reason:
    weight = math.log(factor) * (1 if raises else -1)
    if kind == "none":
        return Reason(None, PRESS, "n", weight)
    if kind == "option":
        return Reason(SILENCE, PRESS, "y", weight)
    if kind == "ruled-out":
        return Reason(SILENCE, PRESS, "n", weight)
    return Reason(LID, None, "y" if kind == "yes" else "n", weight)


def text_in(language: str, r: Reason) -> str:
    with translation.override(language):
        return r.text


# --- reasons: one sentence per case ---------------------------------------------------------

ENGLISH = {
    ("yes", 17, True): "You answered “yes” to “Does the lid stay up?” — strong evidence for "
    "this cause: with it, this answer is 17 times more common.",
    ("yes", 2.6, True): "You answered “yes” to “Does the lid stay up?” — this points to this "
    "cause: with it, this answer is 2.6 times more common.",
    ("no", 3, False): "You answered “no” to “Does the lid stay up?” — this speaks against this "
    "cause: with it, this answer is 3 times rarer.",
    ("no", 22, False): "You answered “no” to “Does the lid stay up?” — strong evidence against "
    "this cause: with it, this answer is 22 times rarer.",
    ("none", 5, True): "You answered “Something else” to “What happens when you press the "
    "button?” — strong evidence for this cause: with it, this answer is 5 times more common.",
    ("none", 1.5, False): "You answered “Something else” to “What happens when you press the "
    "button?” — this speaks against this cause: with it, this answer is 1.5 times rarer.",
    ("option", 2, True): "You answered “Complete silence” to “What happens when you press the "
    "button?” — this points to this cause: with it, this answer is 2 times more common.",
    ("ruled-out", 4, False): "You ruled out “Complete silence” as the answer to “What happens "
    "when you press the button?” — strong evidence against this cause: with it, this is 4 "
    "times rarer.",
    ("yes", 1.02, True): "You answered “yes” to “Does the lid stay up?” — this hardly changes "
    "how likely this cause is.",
}
RUSSIAN = {
    ("yes", 17, True): "На вопрос «Does the lid stay up?» вы ответили «да» — это веский довод "
    "за эту причину: при ней такой ответ бывает в 17 раз чаще.",
    ("yes", 2.6, True): "На вопрос «Does the lid stay up?» вы ответили «да» — это говорит в "
    "пользу этой причины: при ней такой ответ бывает в 2,6 раза чаще.",
    ("no", 3, False): "На вопрос «Does the lid stay up?» вы ответили «нет» — это говорит "
    "против этой причины: при ней такой ответ бывает в 3 раза реже.",
    ("no", 22, False): "На вопрос «Does the lid stay up?» вы ответили «нет» — это веский довод "
    "против этой причины: при ней такой ответ бывает в 22 раза реже.",
    ("none", 5, True): "На вопрос «What happens when you press the button?» вы ответили "
    "«Something else» — это веский довод за эту причину: при ней такой ответ бывает в 5 раз "
    "чаще.",
    ("none", 1.5, False): "На вопрос «What happens when you press the button?» вы ответили "
    "«Something else» — это говорит против этой причины: при ней такой ответ бывает в 1,5 "
    "раза реже.",
    ("option", 2, True): "На вопрос «What happens when you press the button?» вы ответили "
    "«Complete silence» — это говорит в пользу этой причины: при ней такой ответ бывает в 2 "
    "раза чаще.",
    ("ruled-out", 4, False): "На вопрос «What happens when you press the button?» вы "
    "исключили ответ «Complete silence» — это веский довод против этой причины: при ней так "
    "бывает в 4 раза реже.",
    ("yes", 1.02, True): "На вопрос «Does the lid stay up?» вы ответили «да» — на вероятность "
    "этой причины это почти не влияет.",
}


@pytest.mark.parametrize(("case", "expected"), ENGLISH.items(), ids=str)
def test_a_reason_reads_as_one_english_sentence_per_case(case, expected):
    assert text_in("en", reason(*case)) == expected


@pytest.mark.parametrize(("case", "expected"), RUSSIAN.items(), ids=str)
def test_a_reason_reads_as_one_russian_sentence_per_case(case, expected):
    assert text_in("ru", reason(*case)) == expected


def test_every_case_of_a_reason_has_its_own_sentence_in_both_languages():
    """Yes, no, an option (none of these is one) and a ruled-out option, each raising or
    lowering strongly or weakly, or hardly moving: 20 sentences, none assembled from another."""
    for language in ("en", "ru"):
        with translation.override(language):
            sentences = {
                service.reason_sentence(kind, effect, 5)
                for kind in ("yes", "no", "chose", "ruled-out")
                for effect in (
                    "raises-strong",
                    "raises-weak",
                    "lowers-strong",
                    "lowers-weak",
                    "hardly",
                )
            }
        assert len(sentences) == 20, language


@pytest.mark.parametrize(
    ("factor", "words"),
    [(17.0, "в 17 раз"), (1.5, "в 1,5 раза"), (22, "в 22 раза"), (21, "в 21 раз"), (3, "в 3 раза")],
)
def test_a_factor_reads_in_its_russian_plural_form_without_a_trailing_zero(factor, words):
    text = text_in("ru", reason("yes", factor))
    assert f" {words} чаще." in text
    assert ",0" not in text


def test_no_reason_of_a_shipped_result_writes_a_factor_with_a_trailing_zero(client, content):
    data = client.get(
        "/api/v1/diagnose",
        {
            "model": "nissan-qashqai",
            "problem": "trunk-wont-open",
            "generation": "j10",
            "answers": DONE,
            "lang": "ru",
        },
    ).json()
    texts = [reason["text"] for cause in data["candidates"] for reason in cause["why"]]
    assert texts and all(text.startswith("На вопрос «") for text in texts)
    assert not any(re.search(r"\d,0 раз", text) for text in texts)
    # the API keeps its keys and gives the short name beside the full one
    first = data["candidates"][0]
    assert first["name"] == "Трос привода замка оборван, растянут или соскочил"
    assert first["short_name"] == "Обрыв троса привода замка"


# --- a name in the middle of a sentence -----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Слабый аккумулятор 12 В", "слабый аккумулятор 12 В"),
        ("Weak 12 V battery", "weak 12 V battery"),
        ("Программный сбой BCM", "программный сбой BCM"),
        ("BCM: программный сбой", "BCM: программный сбой"),  # an abbreviation stays
        ("12 В не хватает", "12 В не хватает"),  # so does a number
        ("J11 facelift wiring", "J11 facelift wiring"),
        ("Smart Key out of sync", "Smart Key out of sync"),  # a proper name of two words
        ("Flat Smart Key battery", "flat Smart Key battery"),  # one inside the name
        ("Замёрзший замок", "замёрзший замок"),
        ("", ""),
    ],
)
def test_a_name_mid_sentence_is_lower_cased_unless_it_begins_with_an_abbreviation(name, expected):
    assert mid_sentence(name) == expected


def test_or_lists_follow_each_language():
    names = ["a", "b", "c"]
    with translation.override("en"):
        assert service._or_list(names[:2]) == "a or b"
        assert service._or_list(names) == "a, b, or c"
    with translation.override("ru"):
        assert service._or_list(names[:2]) == "a или b"
        assert service._or_list(names) == "a, b или c"  # no comma before «или»


# --- "why we ask" ---------------------------------------------------------------------------


def test_why_we_ask_is_a_sentence_with_the_short_names_lower_cased(client, content):
    page = client.get(f"/ru{WIZARD}?generation=j10").content.decode()
    why = html.unescape(re.search(r'<p class="why-ask">(.*?)</p>', page, re.S).group(1))
    assert why.startswith("Зачем мы спрашиваем: при ответе «да» вероятнее сломанная ручка крышки")
    assert "; при «нет» — обрыв троса привода замка" in why
    assert " или замёрзший замок." in why
    assert "Трос привода замка оборван" not in why  # not the full names
    english = client.get(f"{WIZARD}?generation=j10").content.decode()
    assert "Why we ask: if you answer “yes”, suspect broken lid handle; if “no”, " in (
        html.unescape(english)
    )


# --- short names in headings, lists, the report form and print ------------------------------


def percent_of(text: str) -> str:
    return re.search(r"(\d+|<1)\s?%", text).group(0)


def test_the_result_heading_holds_the_short_name_then_the_percent_apart(client, content):
    page = html.unescape(client.get(f"/ru{RESULT}").content.decode())
    heading = re.search(r'<h2 id="fix-release-cable-broken">(.*?)</h2>', page, re.S).group(1)
    text = re.sub(r"<[^>]+>", "", heading)
    assert re.fullmatch(rf"1\. Обрыв троса привода замка{NBSP}— \d+{NBSP}%", text), text
    # the full title stays, under the heading
    after = page[page.index('id="fix-release-cable-broken"') :]
    assert "Трос привода замка оборван, растянут или соскочил" in after.split("</p>")[0]
    english = html.unescape(client.get(RESULT).content.decode())
    heading = re.search(r'<h2 id="fix-release-cable-broken">(.*?)</h2>', english, re.S).group(1)
    assert re.fullmatch(rf"1\. Broken release cable{NBSP}— \d+%", re.sub(r"<[^>]+>", "", heading))


def test_the_cause_list_and_the_print_view_name_causes_by_their_short_names(client, content):
    page = html.unescape(client.get(f"/ru{RESULT}").content.decode())
    causes = page[page.index('class="cause-list"') : page.index("</ol>")]
    assert ">Обрыв троса привода замка</a>" in causes
    printed = html.unescape(
        client.get(f"/ru{WIZARD}print/?generation=j10&answers={DONE}").content.decode()
    )
    assert f"1. Обрыв троса привода замка{NBSP}— " in printed
    assert "Трос привода замка оборван" not in printed


def test_the_report_form_lists_the_short_names(client, content):
    for prefix, short, full in [
        ("/ru", "Обрыв троса привода замка", "Трос привода замка оборван"),
        ("", "Broken release cable", "Release cable broken, stretched"),
    ]:
        page = html.unescape(client.get(f"{prefix}{RESULT}").content.decode())
        form = page[page.index('class="report-form"') :]
        labels = [
            label.strip() for label in re.findall(r'name="fault" value="[^"]+"[^>]*>([^<]*)', form)
        ]
        assert labels[0] == short
        assert full not in form


def test_a_fault_without_a_short_name_shows_its_name(client, content):
    Fault.objects.filter(slug="release-cable-broken").update(short_name_ru="")
    page = html.unescape(client.get(f"/ru{RESULT}").content.decode())
    heading = re.search(r'<h2 id="fix-release-cable-broken">(.*?)</h2>', page, re.S).group(1)
    assert "Трос привода замка оборван, растянут или соскочил" in heading  # not the English one
    Fault.objects.filter(slug="release-cable-broken").update(short_name_en="")
    page = html.unescape(client.get(RESULT).content.decode())
    heading = re.search(r'<h2 id="fix-release-cable-broken">(.*?)</h2>', page, re.S).group(1)
    assert "Release cable broken, stretched or unhooked" in heading


def test_a_percent_is_written_the_language_s_way():
    with translation.override("en"):
        assert (numbers.percent(80), numbers.percent(1, below=True)) == ("80%", "<1%")
    with translation.override("ru"):
        assert (numbers.percent(80), numbers.percent(1, below=True)) == (f"80{NBSP}%", f"<1{NBSP}%")
