"""Content in English and Russian: the fixture, the check, the compiled content, structured
data, search and the admin, each in the active language (kb/translation.py)."""

import json
import re
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation
from modeltranslation.translator import translator

from diagnosis.content import compiled_problem
from kb.models import FaqEntry, Fault, Procedure, Step, Symptom
from kb.search import full_text_terms, search
from kb.structured_data import faq_page, how_to
from kb.typography import russian_nbsp
from tests.test_admin import form_data
from tests.test_kb_check import kb_check

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "nissan-qashqai-trunk.json"
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
LATIN_WORD = re.compile(r"\b[a-z]{4,}\b")
# English words a Russian text may keep: names of the car, the key system and products.
KEPT_IN_LATIN = {"nissan", "qashqai", "smart", "facelift"}


def translated_objects():
    """(model label, fields, the fixture object) for every object with translated fields."""
    models = translator.get_registered_models(abstract=False)
    by_label = {model._meta.label_lower: model for model in models}
    for obj in json.loads(FIXTURE.read_text()):
        if obj["model"] in by_label:
            fields = translator.get_options_for_model(by_label[obj["model"]]).fields
            yield obj["model"], fields, obj["fields"]


def test_fixture_carries_every_owner_text_in_english_and_russian():
    checked = 0
    for label, fields, values in translated_objects():
        for name in fields:
            if name not in values and f"{name}_en" not in values:
                continue  # left to the model's default
            assert name not in values, (label, name)  # one key per language, no bare field
            english, russian = values[f"{name}_en"], values[f"{name}_ru"]
            assert bool(english) == bool(russian), (label, name, english)
            checked += bool(russian)
    assert checked > 400


def test_russian_texts_are_russian_not_left_in_english():
    for label, fields, values in translated_objects():
        for name in fields:
            russian = values.get(f"{name}_ru") or ""
            if not russian or russian == values[f"{name}_en"]:
                continue  # "J10", "Nissan": names are the same in both languages
            assert CYRILLIC.search(russian), (label, name, russian)
            english_words = set(LATIN_WORD.findall(russian.lower())) - KEPT_IN_LATIN
            assert not english_words, (label, name, english_words)


def test_russian_prices_are_in_rubles(content):
    entry = FaqEntry.objects.get(slug="trunk-lock-replacement-cost")
    assert "15,000–25,000 RUB" in entry.answer_en
    assert "15 000–25 000 ₽" in entry.answer_ru
    assert "3 000–5 000 ₽" in entry.answer_ru


def test_loading_the_fixture_keeps_the_english_text_in_the_original_field(content):
    fault = Fault.objects.get(slug="lock-frozen")
    assert (fault.name_en, fault.name_ru) == ("Lock frozen", "Замок замёрз")
    assert fault.name == "Lock frozen"  # no language active: English, as before
    with translation.override("ru"):
        assert fault.name == "Замок замёрз"


def test_an_empty_russian_text_falls_back_to_english(content):
    fault = Fault.objects.get(slug="lock-frozen")
    fault.summary_ru = ""
    with translation.override("ru"):
        assert fault.summary == fault.summary_en
        assert fault.name == "Замок замёрз"


# --- kb_check ----------------------------------------------------------------------------------


def test_kb_check_passes_with_both_languages_shipped(content):
    code, output = kb_check()
    assert code == 0, output


def test_kb_check_names_the_object_and_field_whose_russian_text_is_removed(content):
    Fault.objects.filter(slug="lock-frozen").update(summary_ru="")
    Step.objects.filter(procedure__slug="check-trunk-fuse", number=3).update(text_ru=None)
    code, output = kb_check()
    assert code == 1
    assert (
        "fault nissan-qashqai/trunk-wont-open/lock-frozen: its Russian “summary” (summary_ru) "
        "is empty, though written in English" in output
    )
    assert "step nissan-qashqai/check-trunk-fuse#3: its Russian “text” (text_ru) is empty" in output
    assert output.count("is empty, though written in") == 2


def test_kb_check_names_an_english_text_missing_beside_a_russian_one(content):
    Procedure.objects.filter(slug="check-trunk-fuse").update(tips_ru="Держите запасной.")
    code, output = kb_check()
    assert code == 1
    assert (
        "procedure nissan-qashqai/check-trunk-fuse: its English “tips” (tips_en) is empty, "
        "though written in Russian" in output
    )


def test_a_missing_translation_is_reported_after_saving_that_problem(content):
    from kb.validation import findings

    symptom = Symptom.objects.get(slug="fuse-intact")
    Symptom.objects.filter(pk=symptom.pk).update(question_ru="")
    found = [f for f in findings(symptom.problem) if f.obj == symptom]
    assert [f.message.split(" is empty")[0] for f in found] == [
        "its Russian “question” (question_ru)"
    ]


# --- what the wizard, the API and the pages read -----------------------------------------------


def test_compiled_content_is_in_the_active_language(content):
    english = compiled_problem("nissan-qashqai", "trunk-wont-open")
    with translation.override("ru"):
        russian = compiled_problem("nissan-qashqai", "trunk-wont-open")
    assert english.faults["lock-frozen"].name == "Lock frozen"
    assert russian.faults["lock-frozen"].name == "Замок замёрз"
    fuse = Symptom.objects.get(slug="fuse-intact")
    assert russian.symptoms["fuse-intact"].question == fuse.question_ru
    assert english.symptoms["fuse-intact"].question == fuse.question_en
    group = russian.groups["press-result"]
    assert group.question.startswith("Что происходит")
    fuse_check = russian.procedures["check-trunk-fuse"]
    assert fuse_check.title == "Проверка предохранителя замка багажника"
    assert fuse_check.steps[0].title == "Выключите всё"
    assert "Пинцет для предохранителей" in fuse_check.tools[0]
    assert [g.name for g in russian.generations][2] == "J11 рестайлинг"


def test_faq_json_ld_gives_the_five_answers_in_russian(content):
    entries = list(FaqEntry.objects.order_by("order"))
    with translation.override("ru"):
        data = faq_page(entries, "https://example.org/ru/nissan-qashqai/faq/")
    questions = data["mainEntity"]
    assert len(questions) == 5
    for question, entry in zip(questions, entries, strict=True):
        # the page's texts, with their no-break spaces (kb/typography.py)
        assert question["name"] == russian_nbsp(entry.question_ru)
        assert question["acceptedAnswer"]["text"] == russian_nbsp(entry.answer_ru)
        assert CYRILLIC.search(question["acceptedAnswer"]["text"])
    english = faq_page(entries, "https://example.org/nissan-qashqai/faq/")
    assert english["mainEntity"][0]["name"] == entries[0].question_en


def test_howto_json_ld_is_in_russian(content):
    procedure = Procedure.objects.get(slug="reset-bcm")
    steps = list(procedure.steps.select_related("warning"))
    with translation.override("ru"):
        data = how_to(
            procedure, steps, "https://example.org/ru/nissan-qashqai/procedures/reset-bcm/"
        )
    assert data["name"] == "Сброс блока управления кузовом (BCM)"
    assert data["description"] == russian_nbsp(procedure.summary_ru)  # with no-break spaces
    assert [tool["name"] for tool in data["tool"]] == [
        "Ключ для клеммы аккумулятора (обычно на\xa010\xa0мм)"
    ]
    assert [step["name"] for step in data["step"]] == [russian_nbsp(s.title_ru) for s in steps]
    warned = next(s for s, step in zip(data["step"], steps, strict=True) if step.warning)
    warning = next(step.warning for step in steps if step.warning)
    assert russian_nbsp(warning.title_ru) in warned["text"]
    assert russian_nbsp(warning.text_ru) in warned["text"]


# --- search --------------------------------------------------------------------------------------


def hit_titles(results) -> list[str]:
    return [hit.title for group in results.groups for hit in group.hits]


def test_a_russian_word_finds_russian_content_and_shows_it_in_russian(content):
    with translation.override("ru"):
        titles = hit_titles(search("предохранитель"))
    assert "Проверка предохранителя замка багажника" in titles


def test_the_word_match_finds_a_word_in_either_language(content):
    with translation.override("ru"):
        titles = hit_titles(search("fuse"))  # an English word on the Russian site
    assert "Проверка предохранителя замка багажника" in titles
    english = hit_titles(search("предохранитель"))  # a Russian word on the English site
    assert "Check the trunk lock fuse" in english


def test_a_capitalized_russian_word_is_found_by_its_lower_case(content):
    # SQLite's LIKE folds only ASCII: "Замена" begins a title, the query is "замена".
    with translation.override("ru"):
        titles = hit_titles(search("замена"))
    assert "Замена троса привода замка" in titles


def test_english_search_is_unchanged_by_the_russian_texts(content):
    titles = hit_titles(search("fuse"))
    assert "Check the trunk lock fuse" in titles
    assert not any(CYRILLIC.search(title) for title in titles)


def test_search_results_are_cached_per_language(content):
    from kb.search import cached_search

    english = cached_search("fuse")
    with translation.override("ru"):
        russian = cached_search("fuse")
    assert hit_titles(english) != hit_titles(russian)


def test_russian_query_also_asks_for_the_stem_without_the_fleeting_vowel():
    with translation.override("ru"):
        assert full_text_terms(["замок", "ремень", "ключ"]) == [
            "замок",
            "ремень",
            "ключ",
            "замк",
            "ремн",
        ]
    assert full_text_terms(["замок"]) == ["замок"]  # English: the words as typed


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search")
def test_postgres_russian_stemming_finds_other_forms_of_a_word(content):
    with translation.override("ru"):
        results = search("замок")
    assert results.backend == "postgresql"
    # titles as typed (a page's Russian title has its no-break spaces, kb/typography.py)
    hits = {hit.title.replace("\xa0", " "): hit for group in results.groups for hit in group.hits}
    # This entry has "замка", never "замок": the stemmer alone keeps the two apart
    # (замок → замок, замка → замк); the query's stem without "о" joins them.
    question = "Как сбросить ошибку замка багажника на приборной панели?"
    assert question in hits and hits[question].full_text
    with translation.override("ru"):
        declined = search("замков")  # another form: its stem finds "замка"
    assert declined.backend == "postgresql"
    assert question in [title.replace("\xa0", " ") for title in hit_titles(declined)]


# --- the admin -------------------------------------------------------------------------------------


def test_the_admin_edits_both_languages_with_language_tabs(admin_client, content):
    fault = Fault.objects.get(slug="lock-frozen")
    page = admin_client.get(reverse("admin:kb_fault_change", args=[fault.pk])).content.decode()
    assert 'name="name_en"' in page and 'name="name_ru"' in page
    assert 'name="name"' not in page
    assert "js/admin-language-tabs.js" in page


def test_history_keeps_both_languages_and_a_revert_restores_them(admin_client, content):
    fault = Fault.objects.get(slug="lock-frozen")
    url = reverse("admin:kb_fault_change", args=[fault.pk])
    data = form_data(admin_client.get(url))
    data["name_ru"] = "Замок замёрз намертво"
    assert admin_client.post(url, data).status_code == 302
    latest, before = fault.history.all()[:2]
    assert latest.name_ru == "Замок замёрз намертво" and before.name_ru == "Замок замёрз"
    assert [c.field for c in latest.diff_against(before).changes] == ["name_ru"]
    before.instance.save()
    fault.refresh_from_db()
    assert (fault.name_en, fault.name_ru) == ("Lock frozen", "Замок замёрз")
