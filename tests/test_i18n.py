"""Russian beside English (issue 12, the interface): URLs, the language of each kind of request,
the page cache per language, hreflang and the language switch, the sitemap, JSON-LD, the API,
the admin, and a complete translation (no untranslated or fuzzy entry, no English template
string on a Russian page)."""

import re
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import polib
import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from django.utils.functional import Promise

from diagnosis import content as compiled_content
from reports.models import OwnerReport
from tests.test_seo import sitemap_urls

pytestmark = pytest.mark.django_db

BASE = Path(__file__).resolve().parent.parent
PO = BASE / "locale" / "ru" / "LC_MESSAGES" / "django.po"
ORIGIN = "http://testserver"
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
SITEMAP_NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "x": "http://www.w3.org/1999/xhtml",
}
WIZARD = "/nissan-qashqai/trunk-wont-open/diagnose/"
# Seven answers that all point at the broken cable: a finished diagnosis (test_reports_web),
# in their canonical order (the symptoms' slugs).
DONE = (
    "freezing-temperature:n,handle-cracked:n,handle-no-resistance:y,high-mileage-yanked:y,"
    "lid-press-releases:n,motor-clicks-lid-stays:y,no-sound-on-press:n"
)
RESULT = f"{WIZARD}?generation=j10&answers={DONE}"


def html_lang(response) -> str:
    match = re.search(r'<html lang="([^"]*)"', response.content.decode())
    return match.group(1) if match else ""


def alternates(response) -> dict[str, str]:
    html = response.content.decode()
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


def sitemap(client) -> ElementTree.Element:
    """The <url> entries of every section of the sitemap, in one <urlset>."""
    urlset = ElementTree.Element(f"{{{SITEMAP_NS['s']}}}urlset")
    urlset.extend(sitemap_urls(client))
    return urlset


def russian_sitemap_paths(client) -> list[str]:
    locations = [loc.text for loc in sitemap(client).findall("s:url/s:loc", SITEMAP_NS)]
    return [loc.removeprefix(ORIGIN) for loc in locations if loc.startswith(f"{ORIGIN}/ru/")]


# --- URLs and the language of a request ------------------------------------------------------


def test_english_pages_keep_their_urls_and_russian_ones_live_under_ru(client, content):
    english, russian = client.get("/nissan-qashqai/"), client.get("/ru/nissan-qashqai/")
    assert (english.status_code, html_lang(english), english["Content-Language"]) == (
        200,
        "en",
        "en",
    )
    assert (russian.status_code, html_lang(russian), russian["Content-Language"]) == (
        200,
        "ru",
        "ru",
    )


def test_a_page_is_in_the_language_of_its_url_whatever_the_browser_asks(client, content):
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9")
    russian = client.get("/ru/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert (html_lang(english), html_lang(russian)) == ("en", "ru")
    # The page depends on its URL alone: nothing tells caches it varies on the header.
    assert "Accept-Language" not in english.get("Vary", "")
    assert "Accept-Language" not in russian.get("Vary", "")


def test_a_russian_404_is_in_russian(client, content):
    response = client.get("/ru/no-such-model/")
    assert response.status_code == 404
    assert html_lang(response) == "ru"
    assert "Страница не найдена" in response.content.decode()


# --- The shared page cache keeps each language apart -----------------------------------------


@pytest.mark.parametrize(
    "first", ["/nissan-qashqai/trunk-wont-open/", "/ru/nissan-qashqai/trunk-wont-open/"]
)
def test_the_page_cache_never_serves_one_language_for_the_others_url(client, content, first):
    other = first.removeprefix("/ru") if first.startswith("/ru/") else f"/ru{first}"
    for path in (first, other, first, other):  # the second round comes from the cache
        response = client.get(path)
        assert html_lang(response) == ("ru" if path.startswith("/ru/") else "en"), path


def test_the_page_cache_key_names_the_language(rf):
    from kb.middleware import SharedPageCacheMiddleware

    key = SharedPageCacheMiddleware.key
    assert key(rf.get("/ru/")) != key(rf.get("/"))
    # An English page is one entry whatever the browser's language…
    assert key(rf.get("/", HTTP_ACCEPT_LANGUAGE="ru")) == key(rf.get("/"))
    # …while the API's answer depends on it, or on ?lang=.
    api = "/api/v1/diagnose?model=nissan-qashqai&problem=trunk-wont-open&generation=j11"
    assert key(rf.get(api, HTTP_ACCEPT_LANGUAGE="ru")) != key(rf.get(api))
    assert key(rf.get(api + "&lang=ru")) == key(rf.get(api + "&lang=ru", HTTP_ACCEPT_LANGUAGE="en"))


def test_the_api_is_cached_per_language_and_says_it_varies_on_accept_language(client, content):
    url = "/api/v1/diagnose?model=nissan-qashqai&problem=trunk-wont-open&generation=j11"
    for _round in range(2):  # the second round comes from the cache
        russian = client.get(url, HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9,en;q=0.5")
        english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert russian["Content-Language"] == "ru" and english["Content-Language"] == "en"
        assert "Accept-Language" in russian["Vary"] and "Accept-Language" in english["Vary"]
        assert russian.json()["next_question"]["options"][-1]["label"] == "Не знаю"
        assert english.json()["next_question"]["options"][-1]["label"] == "Don't know"


# --- The API in Russian ----------------------------------------------------------------------


def test_the_api_takes_its_language_from_lang_before_accept_language(client, content):
    url = "/api/v1/diagnose?model=nissan-qashqai&problem=trunk-wont-open"
    russian = client.get(url + "&lang=ru", HTTP_ACCEPT_LANGUAGE="en")
    english = client.get(url + "&lang=en", HTTP_ACCEPT_LANGUAGE="ru")
    assert russian.json()["error"]["message"] == "Укажите generation=<код> или year=<год выпуска>."
    assert english.json()["error"]["message"] == "Give generation=<code> or year=<model year>."


def test_the_api_falls_back_to_the_header_then_english_for_an_unknown_lang(client, content):
    url = "/api/v1/diagnose?model=no-such-model&problem=x&lang=de"
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="ru").json()["error"]["message"] == (
        "Неизвестная модель «no-such-model»."
    )
    assert client.get(url).json()["error"]["message"] == "Unknown model “no-such-model”."


def test_the_api_explains_each_cause_in_russian(client, content):
    url = "/api/v1/diagnose?model=nissan-qashqai&problem=trunk-wont-open&generation=j11&lang=ru"
    first = client.get(url).json()["next_question"]["options"][0]
    answered = client.get(f"{url}&answers={first['answers']}", follow=True).json()
    why = [reason["text"] for cause in answered["candidates"] for reason in cause["why"]]
    assert why and all(text.startswith("На вопрос «") for text in why)
    assert answered["links"]["wizard"].startswith("/ru/nissan-qashqai/trunk-wont-open/diagnose/")


def test_the_wizards_errors_are_in_russian(client, content):
    response = client.get(f"/ru{WIZARD}?generation=x99")
    assert response.status_code == 400
    assert "В ссылке указано поколение, которого мы не знаем: выберите своё ниже." in (
        response.content.decode()
    )


# --- hreflang, canonical, the language switch -------------------------------------------------


def test_every_sitemap_page_in_russian_has_russian_head_and_hreflang_both_ways(
    client, content, parse_page
):
    paths = russian_sitemap_paths(client)
    assert len(paths) >= 3 + 4 + 2 + 14 + 12
    for path in paths:
        english_path = path.removeprefix("/ru")
        response = client.get(path)
        assert response.status_code == 200, path
        assert html_lang(response) == "ru", path
        page = parse_page(response)
        assert CYRILLIC.search(page.title), (path, page.title)
        assert CYRILLIC.search(page.meta["description"]), (path, page.meta["description"])
        assert page.links["canonical"] == f"{ORIGIN}{path}", path
        assert page.meta["og:locale"] == "ru_RU", path
        assert alternates(response) == {
            "en": f"{ORIGIN}{english_path}",
            "ru": f"{ORIGIN}{path}",
            "x-default": f"{ORIGIN}{english_path}",
        }, path
        back = alternates(client.get(english_path))
        assert back["ru"] == f"{ORIGIN}{path}" and back["en"] == f"{ORIGIN}{english_path}", path


def test_the_sitemap_lists_each_page_with_its_alternates_and_x_default(client, content):
    entries = {
        url.find("s:loc", SITEMAP_NS).text: {
            link.get("hreflang"): link.get("href") for link in url.findall("x:link", SITEMAP_NS)
        }
        for url in sitemap(client).findall("s:url", SITEMAP_NS)
    }
    problem = f"{ORIGIN}/nissan-qashqai/trunk-wont-open/"
    russian = f"{ORIGIN}/ru/nissan-qashqai/trunk-wont-open/"
    expected = {"en": problem, "ru": russian, "x-default": problem}
    assert entries[problem] == expected
    assert entries[russian] == expected


def test_the_language_switch_links_to_the_same_page_with_the_same_answers(client, content):
    query = "generation=j11&answers=fuse-ok:u"
    english = client.get(f"{WIZARD}?{query}").content.decode()
    russian = client.get(f"/ru{WIZARD}?{query}").content.decode()
    switch = r'<nav class="lang-switch" id="lang-switch" aria-label="[^"]+"><a [^>]*href="([^"]+)"'
    assert re.search(switch, english).group(1) == f"/ru{WIZARD}?{query}".replace("&", "&amp;")
    assert re.search(switch, russian).group(1) == f"{WIZARD}?{query}".replace("&", "&amp;")
    assert 'hreflang="ru" lang="ru">Русский</a>' in english
    assert 'hreflang="en" lang="en">English</a>' in russian


def test_a_swapped_wizard_step_brings_the_language_switch_of_its_own_url(client, content):
    response = client.get(f"/ru{WIZARD}?generation=j11", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="lang-switch" aria-label="Язык" data-hx-swap-oob="true"' in html
    assert f'href="{WIZARD}?generation=j11"' in html


# --- JSON-LD ---------------------------------------------------------------------------------


def test_json_ld_names_the_language_and_is_in_russian(client, content, parse_page):
    faq = parse_page(client.get("/ru/nissan-qashqai/faq/")).json_ld
    faq_page = next(item for item in faq if item["@type"] == "FAQPage")
    assert faq_page["inLanguage"] == "ru"
    assert len(faq_page["mainEntity"]) == 5
    for entry in faq_page["mainEntity"]:
        assert CYRILLIC.search(entry["name"]) and CYRILLIC.search(entry["acceptedAnswer"]["text"])
    how_to = next(
        item
        for item in parse_page(
            client.get("/ru/nissan-qashqai/procedures/open-trunk-from-passenger-compartment/")
        ).json_ld
        if item["@type"] == "HowTo"
    )
    assert how_to["inLanguage"] == "ru"
    assert CYRILLIC.search(how_to["name"]) and CYRILLIC.search(how_to["description"])
    assert all(CYRILLIC.search(step["text"]) for step in how_to["step"])
    assert all(step["url"].startswith(f"{ORIGIN}/ru/") for step in how_to["step"])
    website = parse_page(client.get("/ru/")).json_ld[0]
    assert (website["inLanguage"], website["name"]) == ("ru", "Неисправности авто")
    english = parse_page(client.get("/")).json_ld[0]
    assert (english["inLanguage"], english["name"]) == ("en", "Car faults")


# --- Numbers and units -----------------------------------------------------------------------


def test_prices_and_times_are_written_the_russian_way(rf):
    """No-break spaces (\xa0) inside a number and before its unit: a phone never breaks
    «5 000» or «1,5 ч» across two lines."""
    from kb.numbers import duration_range, grouped, money_range

    with translation.override("ru"):
        assert grouped(15000) == "15\xa0000"
        assert money_range(15000, 25000, "RUB") == "15\xa0000–25\xa0000\xa0₽"
        assert money_range(500, 500, "RUB") == "500\xa0₽"
        assert duration_range(45, 90) == "45\xa0мин–1,5\xa0ч"
        assert duration_range(10, 240) == "10\xa0мин–4\xa0ч"
    with translation.override("en"):
        assert money_range(15000, 25000, "RUB") == "15,000–25,000\xa0RUB"
        assert duration_range(45, 90) == "45\xa0min–1.5\xa0h"
        assert duration_range(60, 120) == "1–2\xa0h"


# The lock actuator's signs on a J12: a result whose first repair is the lock's replacement.
LOCK_ACTUATOR_FACTS = (
    "dashboard-lock-error:y,freezing-temperature:n,handle-no-resistance:n,handle-stiff:n,"
    "lid-press-releases:n,motor-clicks-lid-stays:y,no-sound-on-press:n,voltage-at-lock:y,"
    "water-near-lock:n"
)


def test_the_wizard_and_pages_say_a_price_and_a_time_alike(client, content):
    """The wizard's price box once said «15000–25000 руб.» and «10–240 мин» under pages that
    said «15 000–25 000 руб.» and «10 мин–4 ч»: one formatter now writes all of them."""
    lock = "/ru/nissan-qashqai/procedures/replace-electromagnetic-lock/"
    page = client.get(lock).content.decode()
    wizard = client.get(
        "/ru/nissan-qashqai/trunk-wont-open/diagnose/",
        {"generation": "j12", "answers": LOCK_ACTUATOR_FACTS},
        follow=True,
    ).content.decode()
    for html in (page, wizard):
        assert "15\xa0000–25\xa0000\xa0₽" in html
        assert not re.search(r"\d{4,}–\d", html.split("<main", 1)[1])  # no ungrouped thousands


# --- The admin -------------------------------------------------------------------------------


def test_the_admin_is_in_russian_for_staff_whose_language_is_russian(admin_client):
    by_header = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9")
    assert html_lang(by_header) == "ru"
    assert "Админка «Неисправности авто»" in by_header.content.decode()
    assert html_lang(admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en")) == "en"
    # The staff member's own choice (the admin's language form) wins over the header.
    admin_client.post("/i18n/setlang/", {"language": "ru", "next": "/admin/"})
    assert html_lang(admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en")) == "ru"


def test_wrapping_verbose_names_in_gettext_needs_no_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def project_models() -> list:
    """Every model of the project's apps but the history tables (simple_history names those
    "historical <verbose name>" itself)."""
    from django.apps import apps
    from simple_history.models import HistoricalChanges

    return [
        model
        for label in ("kb", "reports", "usage")
        for model in apps.get_app_config(label).get_models()
        if not issubclass(model, HistoricalChanges)
    ]


def own_fields(model) -> list:
    """The fields a model declares (not the id, not reverse relations, not the per-language
    copies of modeltranslation, which take their name from the field they copy)."""
    from modeltranslation.fields import TranslationField

    return [
        field
        for field in model._meta.get_fields()
        if not field.auto_created and not isinstance(field, TranslationField)
    ]


def test_every_model_and_field_has_a_name_translated_into_russian():
    untranslated = []
    for model in project_models():
        meta = model._meta
        names = {"verbose_name": meta.verbose_name, "verbose_name_plural": meta.verbose_name_plural}
        for field in own_fields(model):
            names[field.name] = field.verbose_name
            if field.help_text:
                names[f"{field.name}.help_text"] = field.help_text
            for value, label in field.flatchoices:
                names[f"{field.name}={value}"] = label
        for name, text in names.items():
            # Explicit and lazy: Django's automatic name ("time min minutes") is a plain str.
            if not isinstance(text, Promise):
                untranslated.append(f"{meta.label}.{name}: {text!r} is not gettext_lazy")
                continue
            with translation.override("ru"):
                russian = str(text)
            if not CYRILLIC.search(russian) and russian not in KEPT_IN_RUSSIAN:
                untranslated.append(f"{meta.label}.{name}: {russian!r} in Russian")
    assert untranslated == []


# Names a Russian mechanic reads as they are.
KEPT_IN_RUSSIAN = {"Smart Key"}


def test_the_russian_admin_names_every_field_and_column_in_russian(admin_client, content):
    from django.contrib import admin

    label = re.compile(r'<label[^>]*for="id_[^"]+"[^>]*>(.*?)</label>', re.S)
    column = re.compile(
        r'<th scope="col"[^>]*>.*?<div class="text">(?:<a[^>]*>|<span>)([^<]*)(?:</a>|</span>)',
        re.S,
    )
    english = {}
    for model in admin.site._registry:
        meta = model._meta
        if meta.app_label not in ("kb", "reports"):
            continue
        first = model._default_manager.first()
        change = f"{first.pk}/change/" if first else "add/"
        for path in (f"/admin/{meta.app_label}/{meta.model_name}/", change):
            url = (
                path
                if path.startswith("/")
                else f"/admin/{meta.app_label}/{meta.model_name}/{path}"
            )
            html = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
            names = [*label.findall(html), *column.findall(html)]
            left = [name.strip() for name in names if not CYRILLIC.search(name)]
            if left:
                english[url] = left
    assert english == {}


def test_a_russian_change_form_labels_its_fields_in_russian(admin_client, content):
    from kb.models import Procedure

    procedure = Procedure.objects.get(slug="check-trunk-fuse")
    html = admin_client.get(
        f"/admin/kb/procedure/{procedure.pk}/change/", HTTP_ACCEPT_LANGUAGE="ru"
    ).content.decode()
    for russian in ("Минимальное время (мин)", "Оригинальная запчасть, от", "Источник цен"):
        assert f"{russian}:</label>" in html
    assert "Time min minutes" not in html and "Part original min" not in html


# --- Complete translation --------------------------------------------------------------------


def test_the_russian_catalogue_has_no_untranslated_or_fuzzy_entry():
    po = polib.pofile(str(PO))
    assert not po.metadata_is_fuzzy
    assert po.metadata["Language"] == "ru"
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    obsolete = [entry.msgid for entry in po.obsolete_entries()]
    assert (untranslated, fuzzy, obsolete) == ([], [], [])
    assert len(po.translated_entries()) > 300


def test_the_compiled_catalogue_is_the_one_django_uses():
    with translation.override("ru"):
        assert translation.gettext("Start diagnosis") == "Начать диагностику"


class VisibleText(HTMLParser):
    """The words a reader sees or hears: text outside script/style, and the attributes that are
    shown or read out (placeholder, aria-label, title, alt, the description)."""

    SHOWN = ("placeholder", "aria-label", "title", "alt")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        self.parts += [attrs[name] or "" for name in self.SHOWN if name in attrs]
        if tag == "meta" and attrs.get("name") == "description":
            self.parts.append(attrs.get("content") or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)

    @classmethod
    def of(cls, html: str) -> str:
        parser = cls()
        parser.feed(html)
        return " ".join(" ".join(parser.parts).split())


def english_fragments() -> list[str]:
    """The English of every catalogue entry as it may appear on a page: entries without
    placeholders whole; of the others, each stretch between placeholders and tags that has
    two words or more. Entries or stretches that the Russian keeps as they are (a command's
    name) are left out."""
    fragments = set()
    for entry in polib.pofile(str(PO)).translated_entries():
        if entry.msgstr == entry.msgid:
            continue
        russian = " ".join([entry.msgstr, *entry.msgstr_plural.values()])
        for piece in re.split(r"%\(\w+\)s|\{\w+\}|<[^>]+>", entry.msgid):
            piece = piece.strip(" :.,;–—()“”")
            if piece in russian:
                continue  # kept as it is in Russian too (a command's name)
            if len(piece) >= 2 and (piece == entry.msgid or len(piece.split()) >= 2):
                fragments.add(piece)
    return sorted(fragments, key=len, reverse=True)


def untranslated_on(text: str, fragments: list[str]) -> list[str]:
    """The fragments (longest first) found as whole words in `text`. A part of a URL shown as
    text is not a word ("/ru/…/procedures/…?generation=j11" has neither "procedures" nor
    "generation"), and a fragment found is taken out of the text, so a shorter one inside it
    ("model year" in "Or type the model year") is not reported again."""
    found = []
    for fragment in fragments:
        word = re.compile(rf"(?<![\w/?&=-]){re.escape(fragment)}(?![\w/?&=-])")
        if word.search(text):
            found.append(fragment)
            text = word.sub("\x00", text)  # no word can run across it
    return found


def russian_wizard_paths(client) -> list[str]:
    """The wizard's start, its generation step, and each step of a run to its result."""
    paths = [f"/ru{WIZARD}", f"/ru{WIZARD}?year=2016"]
    compiled = compiled_content.compiled_problem("nissan-qashqai", "trunk-wont-open")
    for generation in compiled.generations_by_code:
        paths.append(f"/ru{WIZARD}?generation={generation}")
    url = "/api/v1/diagnose?model=nissan-qashqai&problem=trunk-wont-open&generation=j11"
    answers: list[str] = []
    for step in range(12):
        state = ",".join(sorted(answers))  # the canonical order (no slug prefixes another)
        data = client.get(url + (f"&answers={state}" if answers else "")).json()
        paths.append(f"/ru{WIZARD}?generation=j11&answers={state}")
        if data["done"] or not data["next_question"]:
            break
        # Alternate "yes" and "don't know", so the run shows reasons both ways.
        option = data["next_question"]["options"][0 if step % 2 == 0 else -1]
        answers += option["answers"].split(",")
    return paths


def russian_report_and_print_paths(client) -> list[str]:
    """The thank-you page after a report from the Russian result, and the result's print view
    (the pages that the report form and the share card lead to)."""
    paths = []
    for state in (f"generation=j10&answers={DONE}", "generation=j11"):
        paths += [f"/ru{WIZARD}report/thanks/?{state}", f"/ru{WIZARD}print/?{state}"]
    page = client.get(f"/ru{RESULT}").content.decode()
    action = re.search(r'<form class="report-form" method="post" action="([^"]+)"', page)
    assert action and action.group(1) == f"/ru{WIZARD}report/"
    return paths


def test_no_russian_page_shows_an_english_template_string(client, content):
    fragments = english_fragments()
    paths = russian_sitemap_paths(client)
    paths += ["/ru/search/", "/ru/search/?q=замок", "/ru/search/?q=qqqzzz", "/ru/offline/"]
    paths += ["/ru/no-such-page/"]
    paths += russian_wizard_paths(client)
    paths += russian_report_and_print_paths(client)
    found = {}
    for path in paths:
        response = client.get(path, follow=True)  # ?year= is redirected to its generation
        assert response.status_code in (200, 404), path
        left = untranslated_on(VisibleText.of(response.content.decode()), fragments)
        if left:
            found[path] = left
    assert found == {}


def test_the_english_check_finds_an_english_string_left_on_a_page():
    fragments = english_fragments()
    page = "<main><h1>Что случилось?</h1><p>Or type the model year</p></main>"
    assert untranslated_on(VisibleText.of(page), fragments) == ["Or type the model year"]
    assert untranslated_on(VisibleText.of("<p>Начать диагностику</p>"), fragments) == []


# --- Reports, the share card and the print view in Russian ----------------------------------


def report_form_of(html: str) -> dict[str, str]:
    form = html[html.index('<form class="report-form"') :]
    form = form[: form.index("</form>")]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    fields["action"] = re.search(r'action="([^"]+)"', form).group(1)
    return fields


def test_the_russian_results_report_form_posts_to_ru_and_thanks_in_russian(content):
    owner = Client(REMOTE_ADDR="203.0.113.21")
    result = owner.get(f"/ru{RESULT}").content.decode()
    assert "Это помогло?" in result and "Did this fix it?" not in result
    form = report_form_of(result)
    assert form["action"] == f"/ru{WIZARD}report/"
    data = {**form, "fault": "release-cable-broken", "other_text": "", "website": ""}
    sent = owner.post(form.pop("action"), data)
    assert sent.status_code == 303
    assert sent["Location"] == f"/ru{WIZARD}report/thanks/?generation=j10&answers={DONE}"
    thanks = owner.get(sent["Location"])
    html = thanks.content.decode()
    assert (thanks.status_code, html_lang(thanks)) == (200, "ru")
    assert "Спасибо, ваш отчёт получен" in html
    assert f'href="/ru{RESULT}"'.replace("&", "&amp;") in html  # back to the Russian result
    assert OwnerReport.objects.get().fault.slug == "release-cable-broken"


def test_a_russian_report_sent_with_htmx_answers_the_russian_thank_you(content):
    owner = Client(REMOTE_ADDR="203.0.113.22")
    form = report_form_of(owner.get(f"/ru{RESULT}").content.decode())
    data = {**form, "fault": "release-cable-broken", "website": ""}
    answer = owner.post(form.pop("action"), data, HTTP_HX_REQUEST="true").content.decode()
    assert "Спасибо, ваш отчёт получен" in answer and "Thank you" not in answer


def test_a_russian_report_with_a_mistake_comes_back_with_russian_errors(content):
    owner = Client(REMOTE_ADDR="203.0.113.23")
    form = report_form_of(owner.get(f"/ru{RESULT}").content.decode())
    data = {**form, "fault": "other", "other_text": "", "model_year": "20x6", "website": ""}
    answer = owner.post(form.pop("action"), data)
    html = answer.content.decode()
    assert (answer.status_code, html_lang(answer)) == (400, "ru")
    assert "Напишите в двух словах, что это было." in html
    assert "Укажите год выпуска четырьмя цифрами, например 2016." in html
    assert not untranslated_on(VisibleText.of(html), english_fragments())
    assert not OwnerReport.objects.exists()


def test_refused_and_rate_limited_reports_are_answered_in_russian(content, settings):
    settings.REPORT_RATE_LIMIT = 1  # one accepted report; a refused one does not count
    fragments = english_fragments()
    owner = Client(REMOTE_ADDR="203.0.113.24")
    form = report_form_of(owner.get(f"/ru{RESULT}").content.decode())
    action = form.pop("action")
    forged = owner.post(action, {**form, "report_token": "forged", "fault": "release-cable-broken"})
    assert (forged.status_code, html_lang(forged)) == (403, "ru")
    assert "Отчёт не принят" in forged.content.decode()
    assert not untranslated_on(VisibleText.of(forged.content.decode()), fragments)
    assert owner.post(action, {**form, "fault": "release-cable-broken"}).status_code == 303
    limited = owner.post(action, {**form, "fault": "release-cable-broken"})
    assert (limited.status_code, html_lang(limited)) == (429, "ru")
    assert "Слишком много отчётов" in limited.content.decode()
    assert not untranslated_on(VisibleText.of(limited.content.decode()), fragments)


def test_the_russian_share_card_links_and_encodes_the_russian_result(client, content):
    from tests.usage_helpers import decode_svg_image

    html = client.get(f"/ru{RESULT}").content.decode()
    card = html[html.index('<section class="card share"') :]
    card = card[: card.index("</section>")]
    link = re.search(r'<p class="share-link"><a href="([^"]+)"', card).group(1)
    link = link.replace("&amp;", "&")
    assert link == f"{ORIGIN}/ru{RESULT}"
    assert "Отправьте это своему мастеру" in card
    image = re.search(
        r'<img class="qr-code" src="([^"]+)"[^>]*alt="QR-код ссылки на этот результат"', card
    )
    assert image.group(1).startswith(f"/ru{WIZARD}qr.svg?")
    qr_code = client.get(image.group(1).replace("&amp;", "&")).content.decode()
    assert decode_svg_image(qr_code) == link  # the Russian link's
    assert f'href="/ru{WIZARD}print/?generation=j10&amp;answers=' in card


def test_the_print_view_has_a_russian_version(client, content):
    response = client.get(f"/ru{WIZARD}print/?generation=j10&answers={DONE}")
    html = response.content.decode()
    assert (response.status_code, html_lang(response)) == (200, "ru")
    assert "Для мастера:" in html and "Ответы владельца" in html
    times = re.findall(r'<td class="nowrap">([^<]*)</td>', html)
    assert times and all(re.search(r"\d\xa0(мин|ч)\*?$", time) for time in times), times
    assert f'<link rel="canonical" href="{ORIGIN}/ru{RESULT}'.replace("&", "&amp;") in html


def test_the_reports_and_usage_admin_is_in_russian_for_russian_staff(admin_client, content):
    from kb.models import Problem
    from reports.models import PriorLearning

    fragments = english_fragments()
    problem = Problem.objects.get(slug="trunk-wont-open", vehicle_model__slug="nissan-qashqai")
    learning = PriorLearning.objects.create(problem=problem)
    pages = {
        "/admin/usage/": "Как пользуются диагностикой",
        "/admin/usage/?from=yesterday": "Даты пишутся так: 2026-11-30",
        "/admin/reports/ownerreport/": "Выберите отчёт владельца для изменения",
        f"/admin/reports/priorlearning/{learning.pk}/change/": "если включить обучение",
        "/admin/reports/likelihoodcheck/": "95-процентный интервал",
    }
    for path, russian in pages.items():
        response = admin_client.get(path, HTTP_ACCEPT_LANGUAGE="ru")
        html = response.content.decode()
        assert (response.status_code, html_lang(response)) == (200, "ru"), path
        assert russian in html, path
        assert "Подтверждённые ремонты" in html  # the app's name in the sidebar
        own = html[html.index('<div id="content"') :]  # not the sidebar's list of kb's models
        # Django's own search form writes its icon's alt="Search" untranslated: not ours.
        own = own.replace('alt="Search"', "")
        assert untranslated_on(VisibleText.of(own), fragments) == [], path
