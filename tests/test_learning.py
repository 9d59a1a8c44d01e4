"""Priors that learn from confirmed fixes (issue 11, item 3): the Dirichlet blend itself, as
properties, and the compiled content that picks it up only where staff switched it on."""

import math

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from diagnosis import engine
from diagnosis.content import build, compiled_problem
from kb.models import Fault, Generation, Problem
from reports.learning import MIN_STRENGTH, blended_priors, normalised, weighted_counts
from reports.models import OwnerReport, PriorLearning, WorkshopReport

SLUGS = st.text(alphabet="abcdefgh-", min_size=1, max_size=8)
TABLES = st.dictionaries(SLUGS, st.floats(0.01, 10.0), min_size=1, max_size=12)
STRENGTHS = st.floats(MIN_STRENGTH, 500.0)


@given(TABLES, STRENGTHS)
def test_zero_reports_give_exactly_the_tables_priors(table, strength):
    assert blended_priors(table, {}, strength) == normalised(table)
    assert blended_priors(table, dict.fromkeys(table, 0.0), strength) == normalised(table)


@given(TABLES, STRENGTHS, st.data())
def test_reports_of_one_fault_move_its_prior_monotonically_toward_one(table, strength, data):
    fault = data.draw(st.sampled_from(sorted(table)))
    others = data.draw(st.dictionaries(st.sampled_from(sorted(table)), st.floats(0, 50)))
    others.pop(fault, None)
    previous = blended_priors(table, others, strength)[fault]
    for n in range(1, 40):
        current = blended_priors(table, {**others, fault: float(n)}, strength)[fault]
        assert current > previous or math.isclose(current, 1.0)
        previous = current
    far = blended_priors(table, {**others, fault: 1e9}, strength)[fault]
    assert far == pytest.approx(1.0, abs=1e-6)


@given(TABLES, st.dictionaries(SLUGS, st.floats(0, 1e6)), STRENGTHS)
def test_priors_always_sum_to_one_and_stay_above_zero(table, confirmed, strength):
    priors = blended_priors(table, confirmed, strength)
    assert set(priors) == set(table)
    assert math.isclose(sum(priors.values()), 1.0, rel_tol=1e-9)
    assert all(p > 0 for p in priors.values())


@given(st.integers(1, 10_000))
def test_with_many_reports_the_priors_converge_to_the_observed_shares(scale):
    table = {"a": 3.0, "b": 1.0, "c": 1.0}  # the table: a 60 %, b and c 20 %
    confirmed = {"a": 1.0 * scale, "b": 3.0 * scale, "c": 0.0}  # observed: a 25 %, b 75 %
    priors = blended_priors(table, confirmed, 50)
    error = abs(priors["b"] - 0.75)
    bigger = blended_priors(table, {k: v * 10 for k, v in confirmed.items()}, 50)
    assert abs(bigger["b"] - 0.75) < error


def test_a_strength_below_one_report_is_refused():
    with pytest.raises(ValueError, match="strength"):
        blended_priors({"a": 1.0}, {"a": 1.0}, 0.5)


def test_weights_count_verified_and_workshop_reports_as_staff_set():
    counts = {"a": {"owner": 2, "verified": 1, "workshop": 1}, "b": {"owner": 1}}
    # an unreviewed ("owner") report counts 0 unless staff raise it, and never above 0.2
    assert weighted_counts(counts, verified_weight=2, workshop_weight=5) == {"a": 7.0, "b": 0.0}
    raised = weighted_counts(counts, verified_weight=2, workshop_weight=5, new_weight=0.1)
    assert raised == pytest.approx({"a": 7.2, "b": 0.1})
    capped = weighted_counts(counts, verified_weight=2, workshop_weight=5, new_weight=1.0)
    assert capped == pytest.approx({"a": 7.4, "b": 0.2})


# --- the compiled content ----------------------------------------------------------------------


VERIFIED = OwnerReport.Status.VERIFIED


def priors_of(code="j11"):
    compiled = build("nissan-qashqai", "trunk-wont-open")
    return {f.key: f.prior for f in compiled.knowledge_bases[code].faults}


def add_reports(n, fault="handle-broken", code="j11", status=OwnerReport.Status.NEW):
    problem = Problem.objects.get(slug="trunk-wont-open")
    generation = Generation.objects.get(code=code)
    the_fault = Fault.objects.get(problem=problem, slug=fault)
    with transaction.atomic():
        for _ in range(n):
            OwnerReport.objects.create(
                problem=problem, generation=generation, fault=the_fault, status=status
            )


def learning(**settings):
    problem = Problem.objects.get(slug="trunk-wont-open")
    row, _ = PriorLearning.objects.get_or_create(problem=problem)
    for name, value in settings.items():
        setattr(row, name, value)
    row.save()
    return row


@pytest.mark.django_db
def test_learning_off_changes_nothing(content, django_capture_on_commit_callbacks):
    before = {code: priors_of(code) for code in ("j10", "j11", "j12")}
    with django_capture_on_commit_callbacks(execute=True):
        add_reports(30)
        learning(enabled=False, strength=5)
    assert {code: priors_of(code) for code in ("j10", "j11", "j12")} == before


@pytest.mark.django_db
def test_learning_on_without_reports_keeps_todays_priors_exactly(content):
    before = priors_of()
    learning(enabled=True)
    assert priors_of() == before


@pytest.mark.django_db
def test_learning_on_blends_the_reports_of_that_generation_only(
    content, django_capture_on_commit_callbacks
):
    table = normalised(priors_of())
    j10 = priors_of("j10")
    with django_capture_on_commit_callbacks(execute=True):
        learning(enabled=True, strength=50, verified_weight=1)
        add_reports(50, "handle-broken", "j11", status=VERIFIED)
    learned = priors_of()
    # 50 reports against a table worth 50: halfway from the table's share to 100 %
    assert learned["handle-broken"] == pytest.approx((table["handle-broken"] + 1) / 2)
    assert math.isclose(sum(learned.values()), 1.0)
    assert priors_of("j10") == j10  # another generation's reports are its own


@pytest.mark.django_db
def test_spam_counts_nowhere_and_workshops_count_with_their_weight(
    content, django_capture_on_commit_callbacks
):
    table = normalised(priors_of())
    problem = Problem.objects.get(slug="trunk-wont-open")
    with django_capture_on_commit_callbacks(execute=True):
        learning(enabled=True, strength=50, workshop_weight=5)
        add_reports(40, "lock-frozen", status=OwnerReport.Status.SPAM)
    assert normalised(priors_of()) == pytest.approx(table)
    with django_capture_on_commit_callbacks(execute=True):
        WorkshopReport.objects.create(
            generation=Generation.objects.get(code="j11"),
            fault=Fault.objects.get(problem=problem, slug="lock-frozen"),
        )
    assert priors_of()["lock-frozen"] == pytest.approx((50 * table["lock-frozen"] + 5) / 55)


@pytest.mark.django_db
def test_a_report_or_a_settings_change_reaches_the_wizard_at_once(
    content, client, django_capture_on_commit_callbacks
):
    url = "/api/v1/diagnose?model=nissan-qashqai&problem=trunk-wont-open&generation=j11"
    first = client.get(url).json()["candidates"]
    with django_capture_on_commit_callbacks(execute=True):
        learning(enabled=True, strength=10)
        add_reports(40, "trunk-fuse-blown", status=VERIFIED)
    after = client.get(url).json()["candidates"]
    assert after[0]["fault"] == "trunk-fuse-blown" != first[0]["fault"]
    with django_capture_on_commit_callbacks(execute=True):
        learning(enabled=False)
    assert client.get(url).json()["candidates"] == first


@pytest.mark.django_db
def test_compiling_with_learning_on_still_costs_three_queries(
    content, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        learning(enabled=True)
        add_reports(5)
    with django_assert_num_queries(3):
        compiled_problem("nissan-qashqai", "trunk-wont-open")


@pytest.mark.django_db
def test_the_first_ranking_shown_in_the_admin_is_the_engines(
    content, django_capture_on_commit_callbacks
):
    from reports.overview import first_ranking, prior_overview

    with django_capture_on_commit_callbacks(execute=True):
        row = learning(enabled=True, strength=20)
        add_reports(15, "lock-gears-jammed", status=VERIFIED)
    row.refresh_from_db()
    compiled = build("nissan-qashqai", "trunk-wont-open")
    verdict = engine.diagnose(compiled.knowledge_bases["j11"], {})
    engine_ranks = {c.fault: i for i, c in enumerate(verdict.candidates, start=1)}
    overview = {g.code: g for g in prior_overview(row)}["j11"]
    assert {r.fault: r.rank_after for r in overview.rows} == engine_ranks
    gears = next(r for r in overview.rows if r.fault == "lock-gears-jammed")
    assert gears.reports == 15 and gears.share == 1.0
    assert gears.rank_after < gears.rank_before
    assert first_ranking({"a": 1.0, "b": 2.0, "c": 1.0}) == {"b": 1, "a": 2, "c": 3}
