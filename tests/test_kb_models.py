"""The database keeps the content sane whatever writes it: admin, fixture or shell."""

import pytest
from django.db import IntegrityError, transaction

from kb.models import (
    Fault,
    FaultGroup,
    Generation,
    Likelihood,
    Make,
    Problem,
    Procedure,
    Symptom,
    VehicleModel,
)

pytestmark = pytest.mark.usefixtures("empty_kb")


@pytest.fixture
def qashqai():
    make = Make.objects.create(slug="nissan", name="Nissan")
    return VehicleModel.objects.create(make=make, slug="nissan-qashqai", name="Qashqai")


@pytest.fixture
def problem(qashqai):
    return Problem.objects.create(
        vehicle_model=qashqai,
        slug="trunk-wont-open",
        title="Trunk won't open",
        summary="s",
        introduction="i",
    )


@pytest.fixture
def fault(problem):
    group = FaultGroup.objects.create(slug="lock-malfunction", name="Lock malfunction")
    return Fault.objects.create(
        problem=problem,
        slug="lock-frozen",
        name="Lock frozen",
        summary="s",
        description="d",
        category=Fault.Category.LOCK,
        group=group,
    )


def violates(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_likelihood_must_be_a_probability(fault):
    symptom = Symptom.objects.create(
        problem=fault.problem, slug="freezing-temperature", question="Freezing?", statement="frost"
    )
    violates(lambda: Likelihood.objects.create(fault=fault, symptom=symptom, p_yes=1.5))
    violates(lambda: Likelihood.objects.create(fault=fault, symptom=symptom, p_yes=-0.1))
    Likelihood.objects.create(fault=fault, symptom=symptom, p_yes=0.9)
    violates(lambda: Likelihood.objects.create(fault=fault, symptom=symptom, p_yes=0.5))


def test_symptom_p_yes_otherwise_must_be_a_probability(problem):
    violates(
        lambda: Symptom.objects.create(
            problem=problem, slug="x", question="q", statement="s", p_yes_otherwise=2
        )
    )


def test_generation_years_must_be_in_order(qashqai):
    violates(
        lambda: Generation.objects.create(
            vehicle_model=qashqai, code="j10", name="J10", year_from=2013, year_to=2007
        )
    )
    Generation.objects.create(vehicle_model=qashqai, code="j12", name="J12", year_from=2022)


def test_generation_code_is_unique_per_model(qashqai):
    Generation.objects.create(vehicle_model=qashqai, code="j10", name="J10", year_from=2007)
    violates(
        lambda: Generation.objects.create(
            vehicle_model=qashqai, code="j10", name="Again", year_from=2008
        )
    )


def test_fault_slug_is_unique_per_problem(fault):
    violates(
        lambda: Fault.objects.create(
            problem=fault.problem,
            slug=fault.slug,
            name="Again",
            summary="s",
            description="d",
            category=Fault.Category.LOCK,
            group=fault.group,
        )
    )


def test_procedure_price_and_time_ranges_must_be_in_order(qashqai):
    base = dict(
        vehicle_model=qashqai,
        title="Replace the lock",
        kind="repair",
        summary="s",
        difficulty=2,
    )
    violates(
        lambda: Procedure.objects.create(
            slug="a", time_min_minutes=120, time_max_minutes=60, **base
        )
    )
    violates(
        lambda: Procedure.objects.create(
            slug="b",
            time_min_minutes=60,
            time_max_minutes=120,
            part_original_min=25000,
            part_original_max=15000,
            **base,
        )
    )
    Procedure.objects.create(
        slug="c",
        time_min_minutes=60,
        time_max_minutes=120,
        part_original_min=15000,
        part_original_max=25000,
        **base,
    )


def test_generation_for_year_maps_years_to_generations(qashqai):
    Generation.objects.create(
        vehicle_model=qashqai, code="j11", name="J11", year_from=2014, year_to=2017
    )
    Generation.objects.create(vehicle_model=qashqai, code="j12", name="J12", year_from=2022)
    assert qashqai.generation_for_year(2016).code == "j11"
    assert qashqai.generation_for_year(2030).code == "j12"
    assert qashqai.generation_for_year(2019) is None


def test_reserved_words_are_refused_as_problem_slugs(qashqai):
    from django.core.exceptions import ValidationError

    problem = Problem(vehicle_model=qashqai, slug="faq", title="t", summary="s", introduction="i")
    with pytest.raises(ValidationError, match="reserved"):
        problem.full_clean()


def test_natural_keys_round_trip(fault):
    assert Fault.objects.get_by_natural_key(*fault.natural_key()) == fault
    assert fault.natural_key() == ("nissan-qashqai", "trunk-wont-open", "lock-frozen")
