"""One name per part: the content check flags a Russian text that calls a part by a variant the
glossary lists as wrong, the shipped content uses none, and docs/glossary.md lists every term."""

import re
from pathlib import Path

import pytest

from kb.glossary import TERMS, misnamed
from kb.models import Fault, Procedure, Step
from kb.validation import findings

pytestmark = pytest.mark.django_db

GLOSSARY_DOC = Path(__file__).resolve().parent.parent / "docs" / "glossary.md"


def glossary_findings(problem=None):
    return [f for f in findings(problem) if "docs/glossary.md" in f.message]


def test_the_shipped_content_uses_the_glossary_names(content):
    assert glossary_findings() == []


@pytest.mark.parametrize(
    ("text", "found", "term"),
    [
        ("Замените электромагнитный замок.", "электромагнитный замок", "привод (моторчик) замка"),
        ("Ремонт электромагнитного замка", "электромагнитного замка", "привод (моторчик) замка"),
        ("Проверьте пружины подъёма крышки.", "пружины подъёма", "газовые упоры крышки"),
        ("Замена троса открывания", "троса открывания", "трос привода замка"),
        ("Перепрошейте блок управления.", "Перепрошейте", "перепрошить (у дилера)"),
        ("Укажите модельный год.", "модельный год", "год выпуска"),
        ("Замок стоит 15 000–25 000 руб.", "руб.", "₽"),
    ],
)
def test_a_wrong_variant_is_found_in_any_case_ending(text, found, term):
    hits = list(misnamed(text, "ru"))
    assert [hit for hit, _ in hits] == [found]
    assert term in hits[0][1].ru


def test_the_glossary_names_themselves_are_not_flagged():
    for term in TERMS:
        assert list(misnamed(term.ru, "ru")) == [], term.ru


def test_a_fault_renamed_with_a_wrong_variant_is_a_finding_naming_the_right_term(content):
    fault = Fault.objects.get(slug="lock-actuator-failed")
    fault.name_ru = "Электромагнитный замок сгорел или заклинил"
    fault.save()
    found = glossary_findings(fault.problem)
    assert [f.obj for f in found] == [fault]
    assert "Электромагнитный замок" in found[0].message
    assert "привод (моторчик) замка" in found[0].message


def test_shared_content_is_checked_too(content):
    step = Step.objects.filter(procedure__slug="reset-bcm").order_by("number").last()
    step.text_ru = "Перепрошейте блок управления у дилера."
    step.save()
    procedure = Procedure.objects.get(slug="check-lid-lift-springs")
    procedure.title_ru = "Проверка пружин подъёма крышки"
    procedure.save()
    flagged = {f.obj for f in glossary_findings()}
    assert flagged == {step, procedure}


def test_the_glossary_page_lists_every_term_in_both_languages():
    page = GLOSSARY_DOC.read_text(encoding="utf-8")
    rows = [line for line in page.splitlines() if line.startswith("| ")]
    for term in TERMS:
        assert any(term.en in row and term.ru in row for row in rows), term.en
        for pattern in term.wrong_en + term.wrong_ru:
            assert f"`{pattern}`" in page, pattern


def test_every_wrong_variant_is_a_valid_pattern():
    for term in TERMS:
        for pattern in term.wrong_en + term.wrong_ru:
            re.compile(pattern)
