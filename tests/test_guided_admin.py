"""A guided way to add a problem: the index in build order, pickers of the same problem, slugs
of whole key words, steps numbered for the editor, one rate row per generation."""

import pytest
from django.urls import reverse

from kb.models import Fault, FaultGroup, FaultRate, Generation, Procedure, Step, Symptom
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


def new_cause_data(problem, group, share_percent, **extra):
    """The add page's form for a cause of `group`, with its share typed as a percentage."""
    return {
        "problem": problem.pk,
        "group": group.pk,
        "name_en": "Trunk lid wiring harness broken at the hinge",
        "summary_en": "Wires in the rubber boot between body and lid break from bending.",
        "category": "electrical",
        "description_en": "The lid's harness breaks where the lid bends it, year after year.",
        "share": str(share_percent / 100),
        "order": "0",
        "likelihoods-TOTAL_FORMS": "0",
        "likelihoods-INITIAL_FORMS": "0",
        **extra,
    }


@pytest.fixture
def electronics(content):
    fault = Fault.objects.get(slug="car-battery-discharged", problem__slug="trunk-wont-open")
    return fault.problem, fault.group


def type_shares(problem, group):
    return dict(Fault.objects.filter(problem=problem, group=group).values_list("slug", "share"))


def test_a_new_cause_takes_its_share_from_its_type_in_proportion(admin_client, electronics):
    problem, group = electronics
    before = type_shares(problem, group)
    response = admin_client.post(reverse("admin:kb_fault_add"), new_cause_data(problem, group, 20))
    assert response.status_code == 302, response.context["adminform"].form.errors
    after = type_shares(problem, group)
    new = after.pop("trunk-lid-wiring-harness-broken-hinge")
    assert new == pytest.approx(0.2)
    assert sum(after.values()) + new == pytest.approx(1, abs=1e-3)
    for slug, share in before.items():  # each gave up the same fraction of what it had
        assert after[slug] == pytest.approx(share * 0.8 / sum(before.values()), abs=1e-4)


def test_staff_may_set_the_other_shares_and_must_reach_100(admin_client, electronics):
    problem, group = electronics
    others = Fault.objects.filter(problem=problem, group=group).order_by("pk")
    fields = {f"share_of_{fault.pk}": "16" for fault in others}  # 5 × 16 % + 20 % = 100 %
    data = new_cause_data(problem, group, 20, rebalance="as-set", **fields)
    wrong = {**data, f"share_of_{others[0].pk}": "30"}
    refused = admin_client.post(reverse("admin:kb_fault_add"), wrong)
    assert refused.status_code == 200
    assert "add up to 114 %" in refused.content.decode()
    assert admin_client.post(reverse("admin:kb_fault_add"), data).status_code == 302
    assert set(type_shares(problem, group).values()) == {0.16, 0.2}


def test_a_share_that_leaves_nothing_for_the_others_is_refused(admin_client, electronics):
    problem, group = electronics
    response = admin_client.post(reverse("admin:kb_fault_add"), new_cause_data(problem, group, 100))
    assert response.status_code == 200
    assert "nothing is left for the other faults" in response.content.decode()


def test_the_add_page_shows_the_types_shares_and_the_starting_chance(admin_client, electronics):
    problem, group = electronics
    blank = admin_client.get(reverse("admin:kb_fault_add")).content.decode()
    assert "Show its type" in blank and "share-table" not in blank
    url = reverse("admin:kb_fault_add")
    page = admin_client.get(url, {"problem": problem.pk, "group": group.pk, "share": "0,1"})
    form = page.context["adminform"].form
    rows = {fault.slug: (now, field.value()) for fault, now, field in form.share_rows()}
    assert rows["car-battery-discharged"][0] == pytest.approx(35)
    assert rows["car-battery-discharged"][1] == pytest.approx(35 * 0.9, abs=0.01)
    chances = dict(form.starting_chances())
    assert len(chances) == problem.vehicle_model.generations.count()
    for words in chances.values():  # words and a percentage, as the likelihoods are shown
        assert words.endswith("%)")
    body = page.content.decode()
    assert "Starting chance per generation" in body and "Trunk lock fuse blown" in body


def test_a_bigger_share_gives_a_bigger_starting_chance(electronics):
    from staff.new_cause import proportional, starting_chances

    problem, group = electronics
    shares = {f.slug: f.share for f in Fault.objects.filter(problem=problem, group=group)}
    small = starting_chances(problem, group, 0.1, proportional(shares, 0.1))
    big = starting_chances(problem, group, 0.3, proportional(shares, 0.3))
    assert [c.generation for c in small] == [c.generation for c in big]
    assert all(0 < s.probability < b.probability < 1 for s, b in zip(small, big, strict=True))
