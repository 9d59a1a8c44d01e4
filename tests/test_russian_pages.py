"""Every Russian page reads as Russian (issue 22): no English word outside the brand and
technical names owners know, numbers written the Russian way, and the API's figures in the
same words as the pages'.

The pages: every /ru/ URL of the sitemap, search, the offline page, and for each generation the
wizard's steps from its first question to a result (test client, SQLite)."""

import re
from html.parser import HTMLParser

import pytest

from diagnosis import content as compiled_content
from tests.test_i18n import LOCK_ACTUATOR_FACTS, russian_sitemap_paths

pytestmark = pytest.mark.django_db

WIZARD = "/nissan-qashqai/trunk-wont-open/diagnose/"
API = "/api/v1/diagnose?model=nissan-qashqai&problem=trunk-wont-open"

# Latin words a Russian page may show, and why.
ALLOWED = {
    # the make, the model and its generations: the names on the car and in its papers
    "Nissan",
    "Qashqai",
    "J10",
    "J11",
    "J12",
    # Nissan's name for the key; Russian owners and dealers say «Smart Key» too
    "Smart",
    "Key",
    "Intelligent",
    # the body control module: dealers and scanners name it BCM («блок управления (BCM)»)
    "BCM",
    # the lubricant's brand name
    "WD-40",
    # technical names written in Latin in Russian as well
    "QR",  # «QR-код»
    "A4",  # the paper size the print view fits
    "PDF",  # «сохранить в PDF» in the print view
    "OBD",
    "ELM327",
    "LED",
    "USB",
    "VIN",
}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*")
# A web address or a host name shown as text (the share card's link) is not a word.
ADDRESS = re.compile(
    r"\S*(?:://|www\.)\S*|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b(?:/\S*)?|\btestserver\b"
)


class RussianText(HTMLParser):
    """The text a reader of a Russian page sees: outside tags, scripts, styles and attributes,
    and outside an element that declares another language (the link to the English page,
    ``<a lang="en">English</a>``)."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._stack: list[tuple[str, bool]] = []  # (tag, hidden)

    def _hidden(self) -> bool:
        return bool(self._stack) and self._stack[-1][1]

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        lang = dict(attrs).get("lang")
        hidden = self._hidden() or tag in ("script", "style", "template")
        hidden = hidden or (lang is not None and not lang.startswith("ru"))
        self._stack.append((tag, hidden))

    def handle_endtag(self, tag):
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not self._hidden():
            self.parts.append(data)

    @classmethod
    def of(cls, html: str) -> str:
        parser = cls()
        parser.feed(html)
        return re.sub(r"[ \t\r\n]+", " ", " ".join(parser.parts)).strip()  # no-break spaces kept


def english_words(text: str) -> list[str]:
    text = ADDRESS.sub(" ", text)
    return sorted({word for word in LATIN_WORD.findall(text) if word not in ALLOWED})


def wizard_run(client, generation: str) -> list[str]:
    """The wizard's steps for a generation, from its first question to a result: "yes" and
    "don't know" in turn, so reasons both ways show."""
    paths, answers = [], []
    for step in range(20):
        state = ",".join(sorted(answers))
        suffix = f"&answers={state}" if answers else ""
        paths.append(f"/ru{WIZARD}?generation={generation}{suffix}")
        data = client.get(f"{API}&generation={generation}{suffix}").json()
        if data["done"] or not data["next_question"]:
            break
        option = data["next_question"]["options"][0 if step % 2 == 0 else -1]
        answers += option["answers"].split(",")
    assert data["done"], f"no result for {generation} in 20 steps"
    return paths


def russian_paths(client) -> list[str]:
    paths = russian_sitemap_paths(client)
    paths += ["/ru/search/", "/ru/search/?q=замок", "/ru/offline/", f"/ru{WIZARD}"]
    compiled = compiled_content.compiled_problem("nissan-qashqai", "trunk-wont-open")
    for generation in compiled.generations_by_code:
        run = wizard_run(client, generation)
        result = run[-1].removeprefix(f"/ru{WIZARD}")
        paths += [*run, f"/ru{WIZARD}print/{result}"]
    return paths


@pytest.fixture
def russian_pages(client, content) -> dict[str, str]:
    pages = {}
    for path in russian_paths(client):
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        pages[path] = RussianText.of(response.content.decode())
    return pages


def test_a_russian_page_shows_no_english_word_outside_brand_and_technical_names(russian_pages):
    assert len(russian_pages) > 60
    found = {path: words for path, text in russian_pages.items() if (words := english_words(text))}
    assert found == {}


def test_the_english_word_check_finds_a_word_left_in_english():
    page = (
        '<html lang="ru"><main><h1>Не открывается багажник Nissan Qashqai J11</h1>'
        "<p>Снимите обшивку (trim) и проверьте BCM.</p>"
        '<p><a href="/ru/x/" title="Open">http://testserver/ru/x/?generation=j11</a></p>'
        '<nav><a lang="en" href="/">English</a></nav></main></html>'
    )
    assert english_words(RussianText.of(page)) == ["trim"]


# --- The number format -----------------------------------------------------------------------

# «руб.» where the pages say «₽»; a unit a line may break from its number («12 В», «80 %»
# have a no-break space); a number of five digits or more without its thousands separated (a
# year has four); a decimal point where Russian writes a comma.
NUMBER_MISTAKES = {
    "руб.": re.compile(r"\bруб\b\.?"),
    "a breaking space before the unit": re.compile(r"\d (?:₽|мин|ч|В|%)(?!\w)"),
    "a percent sign without its space": re.compile(r"\d%"),
    "ungrouped thousands": re.compile(r"(?<![\d.,/:#-])\d{5,}(?![\d])"),
    "decimal point": re.compile(r"(?<![\d.])\d+\.\d+(?![\d.])"),
}


def number_mistakes(text: str) -> list[str]:
    text = ADDRESS.sub(" ", text)
    return [
        f"{name}: {match.group(0)}"
        for name, pattern in NUMBER_MISTAKES.items()
        for match in pattern.finditer(text)
    ]


def test_russian_pages_write_numbers_the_russian_way(russian_pages):
    found = {path: bad for path, text in russian_pages.items() if (bad := number_mistakes(text))}
    assert found == {}


def test_the_number_check_finds_each_mistake():
    text = RussianText.of(
        "<p>Замок 15000–25000 руб., замена 1.5 ч; 2016 год, 15\xa0000\xa0₽, 80%, 12 В</p>"
    )
    assert number_mistakes(text) == [
        "руб.: руб.",
        "a breaking space before the unit: 5 ч",
        "a breaking space before the unit: 2 В",
        "a percent sign without its space: 0%",
        "ungrouped thousands: 15000",
        "ungrouped thousands: 25000",
        "decimal point: 1.5",
    ]


# --- The API's figures are the pages' -------------------------------------------------------


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_apis_figures_read_as_the_wizards_page_writes_them(client, content, language):
    """/api/v1/diagnose gives each cause's percentage, each procedure's time and each price
    range in the words of the wizard's page in that language (kb/numbers.py), beside the
    numbers."""
    prefix = "/ru" if language == "ru" else ""
    state = f"generation=j12&answers={LOCK_ACTUATOR_FACTS}"
    page = client.get(f"{prefix}{WIZARD}?{state}", follow=True).content.decode()
    data = client.get(f"{API}&{state}&lang={language}", follow=True).json()
    assert data["done"]
    prices = times = 0
    for candidate in data["candidates"]:
        assert isinstance(candidate["probability"], float)
        if f'id="fix-{candidate["fault"]}"' not in page:
            continue  # the page details the top causes only
        assert f'<span class="percent">{candidate["probability_text"]}</span>' in page
        for procedure in candidate["procedures"]:
            assert procedure["time"]["text"] in page
            times += 1
            for cost in procedure["costs"]:
                assert cost["text"] in page and isinstance(cost["low"], int)
                prices += 1
    assert prices and times
    texts = [
        cost["text"]
        for candidate in data["candidates"]
        for procedure in candidate["procedures"]
        for cost in procedure["costs"]
    ]
    if language == "ru":
        assert "15\xa0000–25\xa0000\xa0₽" in texts
    else:
        assert "15,000–25,000\xa0RUB" in texts
    # the plan: its first step and the expected totals, as the page's plan says them
    plan, about = data["plan"], "около" if language == "ru" else "about"
    first = plan["steps"][0]
    shown = f"{first['minutes_text']}, {first['money_text']}" if first["money_text"] else ""
    assert f"— {shown or first['minutes_text']}" in page
    assert f"({first['probability_text']})" in page
    expected = plan["expected"]
    conjunction = "и" if language == "ru" else "and"
    assert f"{about} {expected['minutes_text']} {conjunction} {expected['money_text']}" in page
    assert isinstance(expected["minutes"], int) and isinstance(expected["money"], int)
