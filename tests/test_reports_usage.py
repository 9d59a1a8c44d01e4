"""The dashboard's view of confirmed fixes (usage.sources → reports.usage): counts per
problem, generation and fault by report date, and the same weighted as the priors count them."""

import datetime as dt

import pytest

from kb.models import Fault, Generation
from reports.models import OwnerReport, PriorLearning
from tests.test_reports_admin import owner_report, problem, workshop_report
from usage import sources

pytestmark = pytest.mark.django_db
KEY = "nissan-qashqai/trunk-wont-open"
TODAY = dt.date.today()


def test_counts_spam_nowhere_and_something_else_under_an_empty_fault(content):
    owner_report("lock-frozen")
    owner_report("lock-frozen", status=OwnerReport.Status.VERIFIED)
    owner_report("lock-frozen", status=OwnerReport.Status.SPAM)
    workshop_report("lock-frozen")
    OwnerReport.objects.create(
        problem=problem(), generation=Generation.objects.get(code="j11"), other_text="wiring"
    )
    counts = sources.report_counts(TODAY, TODAY)
    assert counts[(KEY, "j11", "lock-frozen")] == 3  # new, verified, workshop; not the spam
    assert counts[(KEY, "j11", "")] == 1
    assert sources.connected()


def test_confirmed_fixes_weigh_reports_with_the_problem_weights(content):
    PriorLearning.objects.update_or_create(
        problem=problem(), defaults={"verified_weight": 3.0, "workshop_weight": 7.0}
    )
    owner_report("handle-broken")
    owner_report("handle-broken", status=OwnerReport.Status.VERIFIED)
    workshop_report("handle-broken")
    assert sources.confirmed_fixes(TODAY, TODAY) == {
        (KEY, "j11", "handle-broken"): 0 + 3 + 7
    }  # unreviewed: 0


def test_reports_outside_the_days_asked_do_not_count(content):
    owner_report("lock-frozen")
    yesterday = TODAY - dt.timedelta(days=1)
    assert sources.report_counts(yesterday, yesterday) == {}
    assert sources.confirmed_fixes(yesterday, yesterday) == {}


def shown(
    top, probability, fault, status=OwnerReport.Status.VERIFIED, answers="lid-press-releases:n"
):
    """An owner report as the wizard stores it: the ranking shown (top cause first), the
    answers that gave it, the cause confirmed (None: something else)."""
    return OwnerReport.objects.create(
        problem=problem(),
        generation=Generation.objects.get(code="j11"),
        answers=answers,
        ranking=[[top, probability], ["handle-broken", round(1 - probability, 4)]],
        fault=Fault.objects.get(problem=problem(), slug=fault) if fault else None,
        other_text="" if fault else "the wiring loom",
        status=status,
    )


def test_shown_and_confirmed_reads_verified_reports_from_a_result_only(content):
    shown("lock-frozen", 0.83, "lock-frozen")
    shown("lock-frozen", 0.61, "handle-broken")
    shown("lock-frozen", 0.4, None)  # something else: the top cause was wrong
    shown("lock-frozen", 0.9, "lock-frozen", status=OwnerReport.Status.NEW)
    shown("lock-frozen", 0.9, "lock-frozen", status=OwnerReport.Status.SPAM)
    shown("lock-frozen", 0.9, "lock-frozen", answers="")  # from a repair card: no ranking seen
    assert sorted(sources.shown_and_confirmed(TODAY, TODAY)) == [
        (0.4, False), (0.61, False), (0.83, True)
    ]  # fmt: skip
    yesterday = TODAY - dt.timedelta(days=1)
    assert sources.shown_and_confirmed(yesterday, yesterday) == []
