"""A guided way to add a problem: the index in build order, pickers of the same problem, slugs
of whole key words, steps numbered for the editor, one rate row per generation."""

import pytest
from django.urls import reverse

from kb.models import FaultGroup, FaultRate, Generation, Procedure, Step, Symptom
from kb.slugs import key_words_slug
from tests.test_admin import form_data

pytestmark = pytest.mark.django_db


def test_index_lists_content_in_build_order_with_the_guide(admin_client, content):
    response = admin_client.get("/admin/")
    names = [app["name"] for app in response.context["app_list"]]
    assert names[:7] == [
        "1. Vehicle: make, model and generations",
        "2. Problem (starts as a draft)",
        "3. Fault types and their rates per generation",
        "4. Faults: the possible causes",
        "5. Questions and how often “yes” with each cause",
        "6. Procedures, steps and warnings",
        "7. Frequently asked questions",
    ]
    body = response.content.decode()
    assert reverse("admin-guide") in body
    assert (
        "Adding a problem, step by step"
        in admin_client.get(reverse("admin-guide")).content.decode()
    )


def test_slug_is_made_of_whole_key_words():
    text = "Does the lid slowly sink by itself after you lift it fully and let it go?"
    slug = key_words_slug(text, 50)
    assert slug == "lid-slowly-sink-itself-after-lift-fully-let-go"
    assert len(key_words_slug(text, 30)) <= 30
    assert key_words_slug(text, 30) == "lid-slowly-sink-itself-after"


def test_a_slug_keeps_the_words_that_turn_a_question_around():
    text = "Does the trunk light and the reversing camera also not work?"
    assert key_words_slug(text) == "trunk-light-reversing-camera-also-not-work"
    assert key_words_slug("Is there no sound at all?") == "no-sound-all"


def test_a_new_symptom_gets_its_slug_from_the_question(admin_client, content):
    problem = Symptom.objects.first().problem
    response = admin_client.post(
        reverse("admin:kb_symptom_add"),
        {
            "problem": problem.pk,
            "slug": "",
            "question_en": "Does the lid slowly sink by itself after you lift it fully?",
            "statement_en": "the lid sinks by itself",
            "effort": "1",
            "p_yes_otherwise_0": "0.15",
            "p_yes_otherwise_1": "",
            "order": "0",
            "likelihoods-TOTAL_FORMS": "0",
            "likelihoods-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Symptom.objects.filter(slug="lid-slowly-sink-itself-after-lift-fully").exists()


def test_likelihood_pickers_offer_only_the_problems_questions(admin_client, content):
    symptom = Symptom.objects.get(slug="freezing-temperature")
    fault = symptom.likelihoods.first().fault
    page = admin_client.get(reverse("admin:kb_fault_change", args=[fault.pk]))
    formset = page.context["inline_admin_formsets"][0].formset
    offered = formset.forms[0].fields["symptom"].queryset
    assert set(offered.values_list("problem", flat=True)) == {fault.problem_id}


def test_steps_are_numbered_and_reordered_for_the_editor(admin_client, content):
    procedure = Procedure.objects.filter(steps__number=3).first()
    titles = list(procedure.steps.values_list("title", flat=True))
    url = reverse("admin:kb_procedure_change", args=[procedure.pk])
    data = form_data(admin_client.get(url))
    last = len(titles) - 1
    data[f"steps-{last}-position"] = "1"  # move the last step to the top
    total = int(data["steps-TOTAL_FORMS"])
    data["steps-TOTAL_FORMS"] = str(total + 1)  # and add one with no number
    data[f"steps-{total}-title_en"] = "Check the result"
    data[f"steps-{total}-text_en"] = "Open and close the lid twice."
    data[f"steps-{total}-source"] = "estimate"
    data[f"steps-{total}-procedure"] = str(procedure.pk)
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    steps = list(Step.objects.filter(procedure=procedure).order_by("number"))
    assert [s.number for s in steps] == list(range(1, len(titles) + 2))
    assert [s.title for s in steps] == [titles[-1], *titles[:-1], "Check the result"]


def test_a_new_fault_type_offers_one_rate_row_per_generation(admin_client, content):
    page = admin_client.get(reverse("admin:kb_faultgroup_add"))
    formset = page.context["inline_admin_formsets"][0].formset
    offered = [form.initial.get("generation") for form in formset.forms]
    assert offered == list(Generation.objects.values_list("pk", flat=True))
    data = form_data(page)
    data.update({"slug": "lid-springs", "name_en": "Lid springs", "order": "9"})
    data["rates-0-level"] = str(FaultRate.objects.first().level_id)  # fill only the first
    response = admin_client.post(reverse("admin:kb_faultgroup_add"), data)
    assert response.status_code == 302, response.context["errors"]
    group = FaultGroup.objects.get(slug="lid-springs")
    assert group.rates.count() == 1  # the empty rows are skipped, and the check reports them


def test_the_guide_is_a_short_staff_guide_in_the_admins_language(admin_client, content):
    english = admin_client.get(reverse("admin-guide")).content.decode()
    assert "Recently deleted" in english and "Test cases" in english
    assert "# Adding" not in english and "```" not in english  # not raw Markdown
    admin_client.cookies["django_language"] = "ru"
    russian = admin_client.get(reverse("admin-guide")).content.decode()
    assert "Как добавить проблему, шаг за шагом" in russian
