"""`manage.py kb_check` passes on the shipped content and names every object it finds wrong."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from kb.models import Fault, FaultRate, Likelihood, Symptom

pytestmark = pytest.mark.django_db


def kb_check() -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("kb_check", stdout=out, stderr=err)
    except SystemExit as exit:
        return exit.code, err.getvalue()
    return 0, out.getvalue()


def test_shipped_content_passes(content):
    code, output = kb_check()
    assert code == 0, output
    assert "Content OK" in output


def test_fault_with_no_procedure_is_named(content):
    Fault.objects.get(slug="handle-broken").procedures.clear()
    code, output = kb_check()
    assert code == 1
    assert "fault nissan-qashqai/trunk-wont-open/handle-broken: has no procedure:" in output


def test_symptom_that_separates_no_faults_is_named(content):
    Likelihood.objects.filter(symptom__slug="handle-cracked").delete()
    code, output = kb_check()
    assert code == 1
    assert "symptom nissan-qashqai/trunk-wont-open/handle-cracked: separates no faults" in output


def test_generation_with_no_rate_is_named(content):
    FaultRate.objects.filter(generation__code="j12", group__slug="lock-malfunction").delete()
    code, output = kb_check()
    assert code == 1
    assert "fault type lock-malfunction: no rate for Nissan Qashqai J12" in output


def test_fault_no_answer_can_raise_to_the_top_is_named(content):
    # A weaker twin of lock-frozen: every answer that favours it favours the original more.
    original = Fault.objects.get(slug="lock-frozen")
    twin = Fault.objects.get(pk=original.pk)
    twin.pk, twin.slug, twin.share = None, "lock-frozen-twin", original.share / 2
    twin.save()
    twin.procedures.set(original.procedures.all())
    for likelihood in original.likelihoods.all():
        Likelihood.objects.create(fault=twin, symptom=likelihood.symptom, p_yes=likelihood.p_yes)
    code, output = kb_check()
    assert code == 1
    assert (
        "fault nissan-qashqai/trunk-wont-open/lock-frozen-twin: no answers raise it to the top"
        in output
    )


def test_probability_out_of_range_is_named(content):
    # The database refuses such a value; a copy restored around the constraint must still fail.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = 1")
        else:
            cursor.execute(
                "ALTER TABLE kb_likelihood DROP CONSTRAINT likelihood_p_yes_is_probability"
            )
        likelihood = Likelihood.objects.get(
            fault__slug="lock-frozen", symptom__slug="freezing-temperature"
        )
        cursor.execute("UPDATE kb_likelihood SET p_yes = 1.7 WHERE id = %s", [likelihood.id])
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = 0")
    code, output = kb_check()
    assert code == 1
    assert (
        "likelihood nissan-qashqai/trunk-wont-open/lock-frozen × freezing-temperature: "
        "probability 1.7 is outside 0–1" in output
    )


def test_symptom_of_another_problem_is_named(content):
    other = Symptom.objects.filter(problem__slug="trunk-opens-then-closes").first()
    Likelihood.objects.create(fault=Fault.objects.get(slug="lock-frozen"), symptom=other, p_yes=0.5)
    code, output = kb_check()
    assert code == 1
    assert "the symptom belongs to another problem" in output


def test_fault_type_whose_shares_do_not_add_up_to_one_is_named(content):
    Fault.objects.filter(slug="bcm-software-glitch").update(share=0.1)
    code, output = kb_check()
    assert code == 1
    assert (
        "problem nissan-qashqai/trunk-wont-open: the shares of fault type electronics-failure "
        "add up to 0.75, not 1 (" in output
    )
    assert "bcm-software-glitch 0.1" in output
    # the advice keeps their proportions: each share over the total, 0.75
    assert "To keep their proportions, set them to: " in output
    assert "car-battery-discharged 0.467" in output and "bcm-software-glitch 0.133" in output


def test_question_group_with_one_member_is_named(content):
    Symptom.objects.filter(slug="motor-clicks-lid-stays").update(group=None)
    code, output = kb_check()
    assert code == 1
    assert (
        "question group nissan-qashqai/trunk-wont-open/press-result: has 1 member(s); "
        "a question with exclusive answers needs 2" in output
    )


def test_exclusive_options_over_one_are_named(content):
    Likelihood.objects.filter(
        fault__slug="release-cable-broken", symptom__slug="no-sound-on-press"
    ).update(p_yes=0.5)
    code, output = kb_check()
    assert code == 1
    assert (
        "fault nissan-qashqai/trunk-wont-open/release-cable-broken: its answers to question group "
        "nissan-qashqai/trunk-wont-open/press-result exclude each other but their probabilities "
        "add up to 1.35, over 1" in output
    )


def test_the_findings_can_be_read_in_russian(content):
    Fault.objects.get(slug="handle-broken").procedures.clear()
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit):
        call_command("kb_check", "--language", "ru", stdout=out, stderr=err)
    assert (
        "неисправность nissan-qashqai/trunk-wont-open/handle-broken: нет ни одной процедуры: "
        "владелец узнает причину, но не узнает, как её устранить" in err.getvalue()
    )
    assert "Найдено замечаний: 1." in err.getvalue()
