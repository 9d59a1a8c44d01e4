"""The preview shows what owners would see: the ranking of all causes after the edited question
is answered first, and the problem's test cases played before and after (issue 21, item 2)."""

import pytest

from kb.models import Fault, Likelihood
from tests.test_preview import preview

pytestmark = pytest.mark.django_db


def likelihood_preview(client, fault, symptom, p_yes):
    likelihood = Likelihood.objects.get(fault__slug=fault, symptom__slug=symptom)
    return preview(client, likelihood, lambda data: data.update(p_yes=p_yes))


def test_a_small_likelihood_edit_shows_in_the_yes_ranking_not_the_first(admin_client, content):
    response = likelihood_preview(admin_client, "bcm-software-glitch", "fuse-intact", "0.98")
    assert response.status_code == 200
    page = response.content.decode()
    bcm = Fault.objects.get(slug="bcm-software-glitch").name
    moved = []
    for g in response.context["generations"]:
        assert [(r.name, r.probability) for r in g.before] == [
            (r.name, r.probability) for r in g.after
        ]  # the first ranking does not show the edit
        (question,) = g.questions
        assert question.slug == "fuse-intact"
        yes, no, unknown = question.answers
        assert [a.label for a in question.answers] == ["Yes", "No", "Don't know"]
        assert not unknown.changed  # "don't know" carries no evidence
        moved += [row for row in yes.rows if row.after.name == bcm and row.direction]
    assert moved, "the yes-ranking shows the BCM's probability change"
    row = moved[0]
    before, after = f"{row.was.percent:.1f}", f"{row.after.percent:.1f}"
    assert before != after  # to one decimal, as the page prints it
    assert f"{before}&nbsp;% →&nbsp;{after}&nbsp;%" in page


def test_a_likelihood_edit_that_breaks_a_case_shows_it_flip(admin_client, content):
    response = likelihood_preview(admin_client, "lock-frozen", "freezing-temperature", "0.01")
    flipped = [c for g in response.context["generations"] for c in g.flipped_cases]
    assert any(c.name == "J10: freezing, stiff handle" for c in flipped)
    case = next(c for c in flipped if c.name == "J10: freezing, stiff handle")
    assert case.before.passes and not case.after.passes
    page = response.content.decode()
    assert 'class="changed flips"' in page
    assert "fails" in page


def test_the_preview_page_renders_in_russian(admin_client, content):
    admin_client.post("/i18n/setlang/", {"language": "ru", "next": "/admin/"})
    response = likelihood_preview(admin_client, "lock-frozen", "freezing-temperature", "0.01")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Сейчас (как сохранено)" in page
    assert "Первый вопрос" in page and "не проходит" in page
    assert "Asked first" not in page and "Test cases of this generation" not in page


def test_a_new_likelihood_is_previewed_from_the_add_page(admin_client, content):
    from django.urls import reverse

    likelihood = Likelihood.objects.get(fault__slug="lock-frozen", symptom__slug="water-near-lock")
    fault, symptom = likelihood.fault, likelihood.symptom
    likelihood.delete()  # the pair as it was before anyone wrote it
    url = reverse("admin:kb_likelihood_add")
    page = admin_client.get(url).content.decode()
    assert 'formaction="preview/"' in page
    data = {"fault": fault.pk, "symptom": symptom.pk, "p_yes": "0.9", "note": ""}
    response = admin_client.post(url + "preview/", data)
    assert response.status_code == 200, response.content.decode()[:500]
    generations = response.context["generations"]
    assert generations and all(g.questions[0].slug == "water-near-lock" for g in generations)
    assert any(g.questions[0].changed for g in generations)  # the "after" has the new pair
    assert not Likelihood.objects.filter(fault=fault, symptom=symptom).exists()


def test_a_question_groups_effort_is_previewed(admin_client, content):
    from kb.models import QuestionGroup

    group = QuestionGroup.objects.get(slug="press-result")
    response = preview(admin_client, group, lambda data: data.update(effort="3"))
    assert response.status_code == 200
    (g, *_) = response.context["generations"]
    (question,) = g.questions
    assert question.slug == "press-result"
    kinds = [a.label for a in question.answers]
    assert len(kinds) == len(group.members.all()) + 2  # each member, none of these, don't know
    assert QuestionGroup.objects.get(pk=group.pk).effort == group.effort  # nothing saved


def test_a_fault_types_rate_is_previewed_for_its_problems(admin_client, content):
    from kb.models import FaultGroup, FaultRate, RateLevel

    rate = FaultRate.objects.select_related("group", "generation").first()
    lowest = RateLevel.objects.order_by("weight").first()
    highest = RateLevel.objects.order_by("-weight").first()
    new = lowest if rate.level_id != lowest.pk else highest

    def change(data):
        index = next(
            i
            for i in range(int(data["rates-TOTAL_FORMS"]))
            if str(data.get(f"rates-{i}-id")) == str(rate.pk)
        )
        data[f"rates-{index}-level"] = str(new.pk)

    response = preview(admin_client, FaultGroup.objects.get(pk=rate.group_id), change)
    assert response.status_code == 200
    previews = response.context["previews"]
    assert previews
    edited = [
        g
        for _problem, generations in previews
        for g in generations
        if g.generation.startswith(rate.generation.name + " (")
    ]
    assert edited and any(
        [r.probability for r in g.before] != [r.probability for r in g.after] for g in edited
    )
    assert FaultRate.objects.get(pk=rate.pk).level_id == rate.level_id  # nothing saved
