"""Staff and confirmed fixes (issue 11, items 2–4): owner and workshop reports in the admin,
who may do what, the learning overview, kb_check's disagreements, likelihoods vs reports."""

import html
import math

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.urls import reverse

from kb.models import Fault, Generation, Likelihood, Problem
from kb.validation import findings
from reports.models import OwnerReport, PriorLearning, WorkshopReport
from reports.stats import beta_cdf, beta_quantile, yes_rate_interval

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client, content):
    user = User.objects.create_user("editor", password="pw-for-tests-123", is_staff=True)
    user.groups.add(Group.objects.get(name="Content editor"))
    client.force_login(user)
    return user


def problem():
    return Problem.objects.get(slug="trunk-wont-open")


def fault(slug):
    return Fault.objects.get(problem=problem(), slug=slug)


def owner_report(slug="lock-frozen", code="j11", answers="", status=OwnerReport.Status.NEW):
    return OwnerReport.objects.create(
        problem=problem(),
        generation=Generation.objects.get(code=code),
        fault=fault(slug),
        answers=answers,
        status=status,
    )


def workshop_report(slug="lock-frozen", code="j11", answers=""):
    return WorkshopReport.objects.create(
        generation=Generation.objects.get(code=code), fault=fault(slug), answers=answers
    )


# --- rights ---------------------------------------------------------------------------------


def test_content_editor_sees_reports_and_can_change_them(client, editor):
    report = owner_report()
    for name in ("ownerreport", "workshopreport", "priorlearning", "likelihoodcheck"):
        assert client.get(reverse(f"admin:reports_{name}_changelist")).status_code == 200, name
    response = client.post(
        reverse("admin:reports_ownerreport_changelist"),
        {"action": "mark_spam", "_selected_action": [report.pk]},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == OwnerReport.Status.SPAM
    assert report.history.first().history_change_reason == "marked spam"


def test_content_editor_cannot_delete_workshop_reports_unless_granted(client, editor):
    report = workshop_report()
    delete = reverse("admin:reports_workshopreport_delete", args=[report.pk])
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert WorkshopReport.objects.filter(pk=report.pk).exists()
    editor.user_permissions.add(Permission.objects.get(codename="delete_workshopreport"))
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not WorkshopReport.objects.filter(pk=report.pk).exists()


def test_content_editor_records_a_workshop_report_with_answers_checked(client, editor):
    url = reverse("admin:reports_workshopreport_add")
    data = {
        "generation": Generation.objects.get(code="j12").pk,
        "fault": fault("car-battery-discharged").pk,
        "model_year": "2023",
        "mileage": "40000",
        "answers": "car-electrics-weak:y,bogus:y",
        "workshop": "",
        "note": "",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Unknown symptom" in response.content.decode()
    assert client.post(url, {**data, "answers": "Car-electrics-weak:Y"}).status_code == 302
    report = WorkshopReport.objects.get()
    assert report.answers == "car-electrics-weak:y"  # as the wizard writes it
    assert report.history.count() == 1


def test_a_workshop_report_on_another_models_generation_is_refused(client, editor):
    from kb.models import Make, VehicleModel

    other = VehicleModel.objects.create(make=Make.objects.first(), slug="other-car", name="Other")
    generation = Generation.objects.create(
        vehicle_model=other, code="x1", name="X1", year_from=2000
    )
    response = client.post(
        reverse("admin:reports_workshopreport_add"),
        {"generation": generation.pk, "fault": fault("lock-frozen").pk, "answers": ""},
    )
    assert "must be of the fault&#x27;s vehicle model" in response.content.decode()


def test_content_editor_cannot_change_how_strongly_reports_count(client, editor):
    learning = PriorLearning.objects.create(problem=problem())
    url = reverse("admin:reports_priorlearning_change", args=[learning.pk])
    assert client.get(url).status_code == 200  # sees it
    client.post(url, {"enabled": "on", "strength": "5", "verified_weight": 2, "workshop_weight": 5})
    learning.refresh_from_db()
    assert not learning.enabled


def test_owners_reports_cannot_be_added_in_the_admin(admin_client, content):
    assert admin_client.get(reverse("admin:reports_ownerreport_add")).status_code == 403


# --- the learning overview ------------------------------------------------------------------


def test_the_learning_page_shows_table_confirmed_blended_and_the_ranking_change(
    admin_client, content, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(12):  # verified: an unreviewed report counts 0
            owner_report("lock-gears-jammed", status=OwnerReport.Status.VERIFIED)
    learning = PriorLearning.objects.get(problem=problem())
    page = admin_client.get(reverse("admin:reports_priorlearning_change", args=[learning.pk]))
    html = page.content.decode()
    assert "J11 · 12 confirmed reports" in html
    assert "Blended prior (if learning were on)" in html
    j11 = html[html.index("J11 · 12 confirmed reports") :]
    row = j11[j11.index(fault("lock-gears-jammed").name) :].split("</tr>")[0]
    assert "100.0 %" in row  # its share of the confirmed reports
    assert "→" in row and "↑" in row  # it climbs in the first ranking


def test_staff_switch_learning_on_and_it_is_in_the_history(admin_client, content):
    learning = PriorLearning.objects.create(problem=problem())
    url = reverse("admin:reports_priorlearning_change", args=[learning.pk])
    admin_client.post(
        url,
        {
            "enabled": "on",
            "strength": "80",
            "verified_weight": "2",
            "workshop_weight": "6",
            "new_weight": "0",
        },
    )
    learning.refresh_from_db()
    assert (learning.enabled, learning.strength, learning.workshop_weight) == (True, 80, 6)
    assert learning.history.count() == 2


# --- kb_check --------------------------------------------------------------------------------


def test_kb_check_names_confirmed_shares_three_times_off_the_table(
    content, django_capture_on_commit_callbacks, capsys
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(19):
            owner_report("trunk-fuse-blown")  # the table: 1.1 % in J11
    assert not [f for f in findings() if "confirmed fixes" in f.message]  # 19: too few
    with django_capture_on_commit_callbacks(execute=True):
        owner_report("trunk-fuse-blown")
    found = [f for f in findings() if "confirmed fixes" in f.message]
    assert {f.obj.slug for f in found} >= {"trunk-fuse-blown", "release-cable-broken"}
    fuse = next(f for f in found if f.obj.slug == "trunk-fuse-blown")
    assert "100 % of 20 confirmed fixes" in fuse.message and "1.1 %" in fuse.message
    # rarely expected faults that nobody reported are no finding: silence is chance there
    assert "key-fob-battery" not in {f.obj.slug for f in found}
    with pytest.raises(SystemExit):
        call_command("kb_check")
    assert "fault nissan-qashqai/trunk-wont-open/trunk-fuse-blown" in capsys.readouterr().err


def test_shares_within_a_factor_of_three_are_no_finding(
    content, django_capture_on_commit_callbacks
):
    from reports.validation import disagreements

    table = {"a": 2.0, "b": 1.0, "c": 1.0}  # 50, 25, 25 %
    assert list(disagreements(table, {"a": 10, "b": 6, "c": 4})) == []
    assert [f for f, *_ in disagreements(table, {"a": 2, "b": 18, "c": 0})] == ["a", "b", "c"]


# --- likelihoods against reports --------------------------------------------------------------


def test_the_likelihood_list_shows_authored_observed_count_and_interval(admin_client, content):
    for value in ("y", "y", "y", "n"):
        owner_report("lock-frozen", answers=f"freezing-temperature:{value},water-near-lock:u")
    owner_report("lock-frozen", answers="freezing-temperature:n", status=OwnerReport.Status.SPAM)
    url = reverse("admin:reports_likelihoodcheck_changelist")
    html = admin_client.get(url, {"fault__id__exact": fault("lock-frozen").pk}).content.decode()
    question = Likelihood.objects.get(
        fault=fault("lock-frozen"), symptom__slug="freezing-temperature"
    ).symptom.question
    row = html[html.index(question) :].split("</tr>")[0]
    low, high = yes_rate_interval(3, 1)
    assert "75.0 %" in row and "4 (3 yes)" in row  # spam left out, "don't know" too
    assert f"{low * 100:.0f}–{high * 100:.0f} %" in row


def test_applying_an_observed_value_is_one_action_recorded_in_the_history(admin_client, content):
    pair = Likelihood.objects.get(fault=fault("lock-frozen"), symptom__slug="freezing-temperature")
    authored = pair.p_yes
    for value in "yyyyyyyyyn":
        workshop_report("lock-frozen", answers=f"freezing-temperature:{value}")
    pair.refresh_from_db()
    assert pair.p_yes == authored  # nothing changes a likelihood by itself
    admin_client.post(
        reverse("admin:reports_likelihoodcheck_changelist"),
        {"action": "apply_observed_value", "_selected_action": [pair.pk]},
    )
    pair.refresh_from_db()
    assert pair.p_yes == 0.9
    latest = pair.history.first()
    assert latest.p_yes == 0.9 and latest.history_user.username == "admin"
    assert "9 yes of 10 confirmed reports" in latest.history_change_reason


def test_an_editor_without_the_right_to_change_likelihoods_cannot_apply(client, editor):
    Group.objects.get(name="Content editor").permissions.remove(
        Permission.objects.get(codename="change_likelihood")
    )
    pair = Likelihood.objects.get(fault=fault("lock-frozen"), symptom__slug="freezing-temperature")
    workshop_report("lock-frozen", answers="freezing-temperature:n")
    before = pair.p_yes
    client.post(
        reverse("admin:reports_likelihoodcheck_changelist"),
        {"action": "apply_observed_value", "_selected_action": [pair.pk]},
    )
    pair.refresh_from_db()
    assert pair.p_yes == before


# --- the Beta interval ----------------------------------------------------------------------


def test_the_beta_quantile_inverts_the_cdf_and_matches_closed_forms():
    assert beta_quantile(0.025, 1, 1) == pytest.approx(0.025)  # uniform
    assert beta_quantile(0.25, 2, 1) == pytest.approx(0.5)  # cdf x²
    assert beta_cdf(0.3, 2.5, 7.5) + beta_cdf(0.7, 7.5, 2.5) == pytest.approx(1.0)
    for a, b, p in [(3.5, 1.5, 0.1), (0.5, 20.5, 0.975), (50.5, 50.5, 0.5)]:
        assert beta_cdf(beta_quantile(p, a, b), a, b) == pytest.approx(p, abs=1e-9)


def test_the_interval_narrows_with_more_reports_around_the_observed_rate():
    few, many = yes_rate_interval(3, 1), yes_rate_interval(300, 100)
    assert few[0] < many[0] < 0.75 < many[1] < few[1]
    low, high = yes_rate_interval(5, 5)
    assert math.isclose(low, 1 - high, abs_tol=1e-9)  # symmetric at one half


# --- reading a report -----------------------------------------------------------------------


def test_a_report_shows_its_answers_as_questions_and_its_ranking_by_cause_name(client, editor):
    report = owner_report(answers="no-sound-on-press:y,doors-lock-unlock-ok:n,car-electrics-weak:u")
    report.ranking = [["lock-frozen", 0.41], ["trunk-fuse-blown", 0.2]]
    report.save()
    page = html.unescape(
        client.get(reverse("admin:reports_ownerreport_change", args=[report.pk])).content.decode()
    )
    assert "no-sound-on-press:y" not in page
    assert "<strong>Yes</strong>" in page and "<strong>Don't know</strong>" in page
    assert "Trunk lock fuse blown 20.0 %" in page  # the cause's name, not its slug
    assert "lock-frozen 41" not in page


def test_a_workshop_report_shows_its_answers_in_words_beside_the_tokens(client, editor):
    report = workshop_report(answers="no-sound-on-press:n")
    page = html.unescape(
        client.get(
            reverse("admin:reports_workshopreport_change", args=[report.pk])
        ).content.decode()
    )
    assert "<strong>No</strong></li>" in page
