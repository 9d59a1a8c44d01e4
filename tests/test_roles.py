"""Rights that fit the role: editors keep content right; a content lead may also remove the
things everything hangs on and set the rate levels' weights."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from kb.models import Generation, Make, Problem, QuestionGroup, RateLevel, VehicleModel

pytestmark = pytest.mark.django_db


def member_of(client, group):
    user = User.objects.create_user(group, password="pw-for-tests-123", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return user


@pytest.mark.parametrize("model", [Make, VehicleModel, Generation, RateLevel, Problem])
def test_content_editor_cannot_delete_what_everything_hangs_on(client, content, model):
    user = member_of(client, "Content editor")
    obj = model.objects.first()
    url = reverse(f"admin:kb_{model._meta.model_name}_delete", args=[obj.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()
    assert not user.has_perm(f"kb.delete_{model._meta.model_name}")


def test_content_editor_cannot_change_rate_level_weights(client, content):
    member_of(client, "Content editor")
    level = RateLevel.objects.get(slug="high")
    url = reverse("admin:kb_ratelevel_change", args=[level.pk])
    page = client.get(url)
    assert page.status_code == 200  # may read them
    assert 'name="weight"' not in page.content.decode()
    client.post(url, {"slug": "high", "name": "High", "weight": "100", "order": "3"})
    level.refresh_from_db()
    assert level.weight != 100
    changelist = client.get(reverse("admin:kb_ratelevel_changelist")).content.decode()
    assert 'name="form-0-weight"' not in changelist


def test_content_editor_can_edit_question_groups(client, content):
    user = member_of(client, "Content editor")
    assert user.has_perm("kb.change_questiongroup")
    group = QuestionGroup.objects.first()
    url = reverse("admin:kb_questiongroup_change", args=[group.pk])
    assert 'name="question_en"' in client.get(url).content.decode()


def test_content_lead_may_delete_a_generation_and_set_weights(client, content):
    user = member_of(client, "Content lead")
    for perm in ["delete_make", "delete_vehiclemodel", "delete_generation", "change_ratelevel"]:
        assert user.has_perm(f"kb.{perm}")
    generation = Generation.objects.get(code="j12")
    url = reverse("admin:kb_generation_delete", args=[generation.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Generation.objects.filter(pk=generation.pk).exists()


def test_a_refusal_names_what_was_asked_and_the_roles_that_may_do_it(client, content):
    """Not a bare "403 Forbidden": the admin's own page, in words (kb/refusals.py)."""
    member_of(client, "Content editor")
    model = VehicleModel.objects.first()
    page = client.get(reverse("admin:kb_vehiclemodel_delete", args=[model.pk]))
    assert page.status_code == 403
    text = page.content.decode()
    assert 'id="site-name"' in text  # the admin's header and navigation
    assert "To delete a vehicle model you need one of these roles: Content lead." in text
    assert "Your roles: Content editor." in text


def test_a_refusal_of_what_no_role_may_do_says_an_administrator_may(client, content):
    member_of(client, "Content editor")
    page = client.get("/admin/auth/user/")
    assert page.status_code == 403
    assert "Only an administrator may see a user." in page.content.decode()


def test_a_refusal_reads_in_russian_in_the_russian_admin(client, content):
    member_of(client, "Content editor")
    client.cookies["django_language"] = "ru"
    model = VehicleModel.objects.first()
    page = client.get(reverse("admin:kb_vehiclemodel_delete", args=[model.pk]))
    assert page.status_code == 403
    assert "Чтобы удалить" in page.content.decode()


def test_content_editor_is_offered_no_delete_of_a_problem(client, content):
    """One confirmation took a whole problem (issue 19): it is a content lead's right."""
    user = member_of(client, "Content editor")
    assert user.has_perm("kb.change_problem") and user.has_perm("kb.add_problem")
    problem = Problem.objects.get(slug="trunk-opens-then-closes")
    url = reverse("admin:kb_problem_delete", args=[problem.pk])
    assert client.get(url).status_code == 403
    change = client.get(reverse("admin:kb_problem_change", args=[problem.pk])).content.decode()
    assert 'class="deletelink"' not in change


def test_content_lead_deletes_a_problem_after_seeing_all_that_goes_with_it(client, content):
    member_of(client, "Content lead")
    problem = Problem.objects.get(slug="trunk-opens-then-closes")
    url = reverse("admin:kb_problem_delete", args=[problem.pk])
    page = client.get(url).content.decode()
    assert "Faults: 3" in page and "Symptoms: 5" in page and "Likelihoods: 15" in page
    for fault in problem.faults.all():
        assert f"{fault.name}</a>" in page
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Problem.objects.filter(pk=problem.pk).exists()
