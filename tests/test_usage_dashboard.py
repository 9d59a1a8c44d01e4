"""The usage dashboard in the admin: who sees it, what it shows, its SVG charts and CSV."""

import csv
import datetime as dt
import html
import io

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kb.models import Generation
from reports.models import OwnerReport
from tests.test_reports_admin import owner_report, problem, workshop_report
from tests.test_reports_usage import shown
from tests.test_reports_web import DONE, REPORT, WIZARD, token_of
from tests.test_reports_web import form_data as report_form
from usage import charts, sources, stats
from usage.models import DailyCount

pytestmark = pytest.mark.django_db

PROBLEM = "nissan-qashqai/trunk-wont-open"
TODAY = dt.datetime.now(dt.UTC).date()


def member_of(client, group):
    user = User.objects.create_user(group, password="pw-for-tests-123", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return user


def add(kind, question="", answer="", fault="", count=1, generation="j11", day=TODAY):
    DailyCount.objects.create(
        day=day,
        kind=kind,
        problem=PROBLEM,
        generation=generation,
        question=question,
        answer=answer,
        fault=fault,
        count=count,
    )


@pytest.fixture
def usage_data(content):
    """40 starts on j11: the first question shown 40 times, answered 30 (12 "don't know"),
    10 left there; 25 results."""
    add("start", count=40)
    add("shown", "car-electrics-weak", count=40)
    add("answer", "car-electrics-weak", "y", count=10)
    add("answer", "car-electrics-weak", "n", count=8)
    add("answer", "car-electrics-weak", "u", count=12)
    add("result", fault="car-battery-discharged", count=15)
    add("result", fault="trunk-fuse-blown", count=10)
    add("start", count=5, generation="j10")


def test_anonymous_visitors_are_sent_to_the_login(client, content):
    response = client.get(reverse("admin-usage"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_without_the_permission_are_refused(client, content):
    user = User.objects.create_user("clerk", password="pw-for-tests-123", is_staff=True)
    client.force_login(user)
    assert client.get(reverse("admin-usage")).status_code == 403
    assert client.get(reverse("admin-usage-csv")).status_code == 403
    assert client.post(reverse("admin-usage-flush")).status_code == 403


@pytest.mark.parametrize("group", ["Content editor", "Content lead"])
def test_content_editors_and_leads_see_the_dashboard_linked_from_the_admin_home(
    client, content, group
):
    member_of(client, group)
    assert reverse("admin-usage") in client.get(reverse("admin:index")).content.decode()
    assert client.get(reverse("admin-usage")).status_code == 200


def test_a_content_editor_cannot_edit_or_delete_counts(client, content):
    user = member_of(client, "Content editor")
    assert user.has_perm("usage.view_dailycount")
    assert not user.has_perm("usage.change_dailycount")
    assert not user.has_perm("usage.delete_dailycount")


def test_the_dashboard_shows_drop_off_dont_know_and_outcomes(client, usage_data):
    member_of(client, "Content editor")
    page = html.unescape(client.get(reverse("admin-usage")).content.decode())
    question = "Have the car's electrics been weak lately"
    assert question in page
    # drop-off: 40 shown − 30 answered = 10 abandoned, 25 %
    assert "<td>40</td><td>10</td><td>8</td><td>12</td><td>10</td><td>25 %</td>" in page
    # "don't know" 12 of 30 = 40 % ≥ 30 % over ≥ 20 answers: flagged
    assert "⚑ <strong>" in page and "40 % “don't know” of 30 answers" in page
    assert "45 diagnoses started, 25 reached a result" in page
    for chart in ("chart-answers", "chart-unknown", "chart-outcomes", "chart-fixes"):
        assert f'id="{chart}"' in page
    assert "Reports of confirmed fixes are not connected yet" not in page  # reports is installed


def test_the_dashboard_has_an_empty_state_without_data(client, content):
    member_of(client, "Content editor")
    page = client.get(reverse("admin-usage")).content.decode()
    assert "No usage counted for these days." in page
    assert page.count('class="chart chart-empty"') == 4


def test_a_bad_date_falls_back_to_the_last_30_days_and_says_so(client, usage_data):
    member_of(client, "Content editor")
    page = client.get(reverse("admin-usage"), {"from": "yesterday"}).content.decode()
    assert "Dates are written 2026-11-30" in page
    assert "45 diagnoses started" in page


def test_days_outside_the_period_are_left_out(client, usage_data):
    add("start", count=1000, day=TODAY - dt.timedelta(days=60))
    member_of(client, "Content editor")
    assert "45 diagnoses started" in client.get(reverse("admin-usage")).content.decode()


def test_the_page_keeps_the_csp_no_inline_style_or_script(client, usage_data, parse_page):
    member_of(client, "Content editor")
    response = client.get(reverse("admin-usage"))
    parsed = parse_page(response)
    assert parsed.inline_styles == 0 and parsed.style_elements == 0
    assert all(attrs.get("src") for attrs, _ in parsed.scripts)
    assert "style-src 'self'" in response["Content-Security-Policy"]


# --- CSV -----------------------------------------------------------------------------------


def read_csv(response):
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_csv_export_of_the_daily_counts(client, usage_data):
    member_of(client, "Content editor")
    rows = read_csv(client.get(reverse("admin-usage-csv"), {"what": "daily"}))
    assert len(rows) == 8
    assert {"day": TODAY.isoformat(), "kind": "answer", "problem": PROBLEM, "generation": "j11",
            "question": "car-electrics-weak", "answer": "u", "fault": "", "count": "12"} in rows  # fmt: skip


def test_csv_export_of_the_questions_with_drop_off_and_dont_know_rates(client, usage_data):
    member_of(client, "Content editor")
    (row,) = read_csv(client.get(reverse("admin-usage-csv"), {"what": "questions"}))
    assert row["shown"] == "40" and row["abandoned"] == "10"
    assert row["drop_rate"] == "0.2500" and row["dont_know_rate"] == "0.4000"
    assert row["flagged"] == "1"


def test_csv_export_of_the_generations(client, usage_data):
    member_of(client, "Content editor")
    rows = read_csv(client.get(reverse("admin-usage-csv"), {"what": "generations"}))
    j11 = next(r for r in rows if r["generation"] == "j11")
    assert j11 == {"problem": PROBLEM, "generation": "j11", "starts": "40", "results": "25",
                   "completion": "0.6250", "top_fault": "car-battery-discharged"}  # fmt: skip


# --- flush from the dashboard ---------------------------------------------------------------


def test_write_the_counts_now_needs_a_post_with_csrf(content):
    csrf_client = Client(enforce_csrf_checks=True)
    member_of(csrf_client, "Content editor")
    assert csrf_client.get(reverse("admin-usage-flush")).status_code == 405
    assert csrf_client.post(reverse("admin-usage-flush")).status_code == 403


def test_a_step_taken_a_moment_ago_shows_before_the_counts_are_written(client, content):
    client.get("/nissan-qashqai/trunk-wont-open/diagnose/?generation=j11")
    member_of(client, "Content editor")
    page = client.get(reverse("admin-usage")).content.decode()
    assert "2 counted events</strong> wait" in page
    assert "1 diagnosis started" in page  # current, though nothing is written yet
    assert DailyCount.objects.count() == 0


def test_write_the_counts_now_moves_pending_counts_without_counting_them_twice(client, content):
    client.get("/nissan-qashqai/trunk-wont-open/diagnose/?generation=j11")
    member_of(client, "Content editor")
    response = client.post(reverse("admin-usage-flush"), follow=True)
    page = response.content.decode()
    assert "1 diagnosis started" in page and "wait to be written" not in page
    assert DailyCount.objects.count() == 2


def test_outcomes_name_the_problem_and_the_causes_not_their_slugs(client, usage_data):
    member_of(client, "Content editor")
    page = html.unescape(client.get(reverse("admin-usage")).content.decode())
    outcomes = page[page.index("Outcomes by generation") :]
    assert "<td>Nissan Qashqai: Trunk won't open</td><td>J11 (2014–2017)</td>" in outcomes
    # by name, the most frequent first
    assert "12 V battery too weak to drive the lock (15), Trunk lock fuse blown (10)" in outcomes
    assert "“Reached a result”" in outcomes  # what the columns mean


# --- stats, charts and the reports interface ------------------------------------------------


def test_abandoned_is_shown_minus_answered_never_below_zero():
    use = stats.QuestionUse("p", "q", "Q?", shown=5, yes=4, no=3)
    assert use.abandoned == 0 and use.drop_rate == 0
    use = stats.QuestionUse("p", "q", "Q?", shown=10, yes=2, unknown=1)
    assert use.abandoned == 7 and use.drop_rate == 0.7


def test_a_question_is_flagged_only_with_enough_answers():
    assert not stats.QuestionUse("p", "q", "Q?", shown=9, unknown=9).flagged
    assert stats.QuestionUse("p", "q", "Q?", shown=20, unknown=6, no=14).flagged
    assert not stats.QuestionUse("p", "q", "Q?", shown=20, unknown=5, no=15).flagged


def test_a_chart_with_data_draws_bars_in_proportion_with_their_values():
    svg = charts.bar_chart(
        "c",
        "Test",
        [
            charts.Row("First <b>", (charts.Segment(30, "seg-yes", "yes"),
                                     charts.Segment(10, "seg-no", "no"))),
            charts.Row("Second", (charts.Segment(20, "seg-yes", "yes"),)),
        ],
        [("seg-yes", "yes"), ("seg-no", "no")],
    )  # fmt: skip
    assert svg.startswith('<svg class="chart" id="c"') and svg.endswith("</svg>")
    assert 'width="225.0"' in svg and 'width="75.0"' in svg and 'width="150.0"' in svg
    assert "First &lt;b&gt;" in svg and "<b>" not in svg
    assert "style=" not in svg and "<script" not in svg


def test_an_empty_chart_says_there_is_no_data():
    svg = charts.bar_chart("c", "Test", [], [("seg-yes", "yes")])
    assert 'class="chart chart-empty"' in svg and "No data for these days." in svg
    assert '<rect class="seg-' not in svg


def test_without_the_reports_app_the_sources_are_empty(monkeypatch):
    from django.apps import apps

    installed = apps.is_installed
    monkeypatch.setattr(apps, "is_installed", lambda name: name != "reports" and installed(name))
    day = dt.date(2026, 11, 30)
    assert sources.report_counts(day, day) == {}
    assert sources.confirmed_fixes(day, day) == {}
    assert sources.shown_and_confirmed(day, day) == []
    assert not sources.connected()


def test_confirmed_fixes_reach_the_table_comparison(client, content):
    """Real reports (reports.usage), at the default weights: of the frozen lock, three verified
    owners' (2 each) and a workshop's (5), and one verified of something else (2). An
    unreviewed owner report weighs 0 (issue 19): one more of the frozen lock adds nothing."""
    for _ in range(3):
        owner_report("lock-frozen", status=OwnerReport.Status.VERIFIED)
    owner_report("lock-frozen")  # unreviewed
    workshop_report("lock-frozen")
    OwnerReport.objects.create(
        problem=problem(),
        generation=Generation.objects.get(code="j11"),
        other_text="wiring",
        status=OwnerReport.Status.VERIFIED,
    )
    fixes = stats.fixes_against_table(TODAY, TODAY)
    frozen = next(f for f in fixes if f.fault == "lock-frozen")
    assert frozen.reports == 5 and frozen.confirmed == 3 * 2.0 + 5.0
    assert frozen.confirmed_share == pytest.approx(11 / 13)  # of 13 weighted, "something else" 2
    assert 0 < frozen.table_prior < 1
    member_of(client, "Content editor")
    page = client.get(reverse("admin-usage")).content.decode()
    assert "not connected yet" not in page and "Something else" in page
    assert 'class="seg-table"' in page


# --- how honest the percentages are: verified reports (issue 24, item 4) ----------------------


@pytest.fixture
def verified(content):
    """Four verified reports from a result. 80–90 %: shown 0.85 and right, 0.81 and wrong;
    30–40 %: 0.35 and right, 0.37 and "something else". And four that do not count, all shown
    0.95: unreviewed, spam, from a repair card (no answers, no ranking seen), and verified but
    received 60 days ago."""
    shown("lock-frozen", 0.85, "lock-frozen")
    shown("lock-frozen", 0.81, "handle-broken")
    shown("handle-broken", 0.35, "handle-broken")
    shown("handle-broken", 0.37, None)
    shown("lock-frozen", 0.95, "lock-frozen", status=OwnerReport.Status.NEW)
    shown("lock-frozen", 0.95, "lock-frozen", status=OwnerReport.Status.SPAM)
    shown("lock-frozen", 0.95, "lock-frozen", answers="")
    old = shown("lock-frozen", 0.95, "lock-frozen")
    OwnerReport.objects.filter(pk=old.pk).update(created=dt.datetime.now(dt.UTC) - dt.timedelta(60))


def reliability_part(page: str) -> str:
    return page[page.index('id="reliability"') :]


def test_the_reliability_table_bins_verified_reports_as_computed_by_hand(client, verified):
    member_of(client, "Content editor")
    part = reliability_part(html.unescape(client.get(reverse("admin-usage")).content.decode()))
    assert "4 verified reports, all generations together" in part
    # 2/4 · |0.5 − 0.83| + 2/4 · |0.5 − 0.36|
    assert "Expected calibration error: <strong>0.235</strong>" in part
    assert "<td>30–40 %</td><td>36 %</td><td>50 %</td><td>2</td>" in part
    assert "<td>80–90 %</td><td>83 %</td><td>50 %</td><td>2</td>" in part
    assert "90–100 %" not in part  # none of the 0.95 reports counts
    assert "No verified reports" not in part


def test_the_reliability_table_as_csv(client, verified):
    member_of(client, "Content editor")
    rows = read_csv(client.get(reverse("admin-usage-csv"), {"what": "reliability"}))
    assert rows == [
        {"band_from": "0.3", "band_to": "0.4", "mean_shown": "0.3600", "hit_rate": "0.5000",
         "hits": "1", "reports": "2"},
        {"band_from": "0.8", "band_to": "0.9", "mean_shown": "0.8300", "hit_rate": "0.5000",
         "hits": "1", "reports": "2"},
    ]  # fmt: skip


def test_without_verified_reports_the_part_says_what_will_appear(client, content):
    owner_report("lock-frozen", answers="lid-press-releases:n")  # unreviewed: not yet
    member_of(client, "Content editor")
    part = reliability_part(client.get(reverse("admin-usage")).content.decode())
    assert "No verified reports for these days yet." in part
    assert "how often that cause was the one that fixed the car" in part
    assert "<table" not in part
    assert read_csv(client.get(reverse("admin-usage-csv"), {"what": "reliability"})) == []


def test_more_verified_reports_cost_the_dashboard_no_more_queries(
    client, verified, django_assert_max_num_queries
):
    member_of(client, "Content editor")
    client.get(reverse("admin-usage"))  # the compiled content and the session are warm
    with CaptureQueriesContext(connection) as four:
        client.get(reverse("admin-usage"))
    for n in range(40):
        shown("lock-frozen", (n % 10 + 0.5) / 10, "lock-frozen" if n % 3 else "handle-broken")
    with django_assert_max_num_queries(len(four)):
        page = client.get(reverse("admin-usage")).content.decode()
    assert "44 verified reports" in page


def test_a_report_sent_from_a_result_shows_the_top_probability_the_owner_saw(client, content):
    """Through the site: the owner sends the report from the result, staff verify it, and the
    table has it at the probability the wizard gave that state's top cause (read from the API,
    not from the report)."""
    state = "generation=j10&answers=" + DONE
    api = client.get(f"/api/v1/diagnose?model=nissan-qashqai&problem=trunk-wont-open&{state}")
    top = api.json()["candidates"][0]
    owner = Client(REMOTE_ADDR="203.0.113.7")
    token = token_of(owner.get(f"{WIZARD}?{state}").content.decode())
    owner.post(REPORT, report_form(token, fault=top["fault"]))
    OwnerReport.objects.update(status=OwnerReport.Status.VERIFIED)
    member_of(client, "Content editor")
    (row,) = read_csv(client.get(reverse("admin-usage-csv"), {"what": "reliability"}))
    assert float(row["mean_shown"]) == pytest.approx(top["probability"], abs=1e-4)
    assert (row["hits"], row["reports"]) == ("1", "1")


def test_the_reliability_part_in_russian(client, verified):
    member_of(client, "Content editor")
    page = client.get(reverse("admin-usage"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    part = html.unescape(reliability_part(page))
    assert "Насколько честны проценты" in part
    assert "4 проверенных отчёта, все поколения вместе" in part
    assert "Ожидаемая ошибка калибровки: <strong>0,235</strong>" in part
    assert "Доля попаданий" in part and "Hit rate" not in part
