"""The words likelihoods are chosen by are in the admin's language (issue 21, item 6: "probability
words ... in both languages"): the form's choices, the history's values and the likelihood
panels read “almost always (95 %)” in English and «почти всегда (95 %)» in Russian."""

import html
import re
from importlib import import_module

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from kb.models import Likelihood, ProbabilityWord
from tests.test_admin import form_data

pytestmark = pytest.mark.django_db

RUSSIAN = {"Accept-Language": "ru"}


def frozen_lock() -> Likelihood:  # shipped as 0.95, "almost always"
    return Likelihood.objects.get(fault__slug="lock-frozen", symptom__slug="freezing-temperature")


def text(response) -> str:
    body = html.unescape(response.content.decode())
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def test_every_shipped_word_has_its_russian_word():
    shipped = import_module("kb.migrations.0012_probability_words_in_russian").RUSSIAN
    words = {w.word_en: w.word_ru for w in ProbabilityWord.objects.all()}
    assert words == shipped
    assert words["almost never"] == "почти никогда"


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("en", 0.95, "almost always (95 %)"),
        ("ru", 0.95, "почти всегда (95 %)"),
        ("en", 0.3, "≈ sometimes (30 %)"),
        ("ru", 0.3, "≈ иногда (30 %)"),
    ],
)
def test_a_probability_is_described_in_the_active_language(language, value, expected):
    with translation.override(language):
        assert ProbabilityWord.describe(value) == expected


def test_a_word_not_translated_yet_reads_in_english():
    ProbabilityWord.objects.filter(word_en="often").update(word_ru=None)
    with translation.override("ru"):
        assert ProbabilityWord.describe(0.6) == "often (60 %)"


def test_a_word_is_unique_in_each_language_not_across_them():
    with pytest.raises(IntegrityError), transaction.atomic():
        ProbabilityWord.objects.create(word_en="nearly always", word_ru="почти всегда", value=0.9)
    # the same letters in two languages are two different words
    ProbabilityWord.objects.create(word_en="часто", word_ru="frequently", value=0.55)


def test_the_likelihood_form_offers_the_words_in_the_admins_language(admin_client, content):
    url = reverse("admin:kb_likelihood_change", args=[frozen_lock().pk])
    english = admin_client.get(url).content.decode()
    russian = admin_client.get(url, headers=RUSSIAN).content.decode()
    assert "almost always (95 %)" in english and "почти всегда" not in english
    assert "почти всегда (95 %)" in russian and "almost always" not in russian
    assert "почти никогда (4 %)" in russian


def test_the_likelihood_panel_reads_in_the_admins_language(admin_client, content):
    url = reverse("admin:kb_likelihood_change", args=[frozen_lock().pk])
    shown = text(admin_client.get(url, headers=RUSSIAN))
    panel = shown[shown.index("Этот вопрос") :]
    assert "почти всегда (95 %)" in panel
    for word in ProbabilityWord.objects.all():
        assert f"{word.word_en} (" not in panel


def test_a_fault_page_shows_any_other_cause_in_the_admins_language(admin_client, content):
    likelihood = frozen_lock()
    url = reverse("admin:kb_fault_change", args=[likelihood.fault_id])
    with translation.override("ru"):
        other = ProbabilityWord.describe(likelihood.symptom.p_yes_otherwise)
    assert other in text(admin_client.get(url, headers=RUSSIAN))


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, "almost always (95 %) → ≈ sometimes (30 %)"),
        (RUSSIAN, "почти всегда (95 %) → ≈ иногда (30 %)"),
    ],
)
def test_the_history_shows_values_in_the_admins_words(admin_client, content, headers, expected):
    likelihood = frozen_lock()
    url = reverse("admin:kb_likelihood_change", args=[likelihood.pk])
    data = form_data(admin_client.get(url))
    data["p_yes"] = "0.3"
    assert admin_client.post(url, data).status_code == 302
    page = admin_client.get(
        reverse("admin:kb_likelihood_history", args=[likelihood.pk]), headers=headers
    )
    assert expected in text(page)
    fault_page = admin_client.get(
        reverse("admin:kb_fault_history", args=[likelihood.fault_id]), headers=headers
    )
    assert expected in text(fault_page)  # the fault's list of its likelihoods' changes
