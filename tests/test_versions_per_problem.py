"""An edit of one problem retires its own compiled content and pages and the pages that list
it, nothing else (issue 20; kb/content_version.py, kb/scopes.py, kb/page_versions.py).

Counted, not timed: compiles are read from diagnosis.content.compiles, pages from whether the
response was rendered (templates) or replayed by the page cache (none).

Problem A is the shipped "trunk won't open" of the Qashqai; its sibling is the other shipped
problem of the same model; B is a copy of A on a second model (the shipped fixture loaded
again under another model slug), so nothing of B's is shared with A's.
"""

import ast
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from diagnosis import content as compiled_content
from diagnosis.content import compiled_problem, compiles
from kb.models import Fault, Generation, Likelihood, Step
from reports.models import OwnerReport, PriorLearning

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent
A = ("nissan-qashqai", "trunk-wont-open")
SIBLING = ("nissan-qashqai", "trunk-opens-then-closes")
B = ("nissan-juke", "trunk-wont-open")
PROBLEMS = (A, SIBLING, B)


@pytest.fixture
def two_models(content, tmp_path):
    shipped = (BASE_DIR / "fixtures" / "nissan-qashqai-trunk.json").read_text()
    copy = tmp_path / "juke.json"
    copy.write_text(shipped.replace("nissan-qashqai", "nissan-juke"))
    call_command("load_content", str(copy), verbosity=0)


def a_fault():
    return Fault.objects.get(
        problem__vehicle_model__slug=A[0], problem__slug=A[1], slug="lock-frozen"
    )


def rename_a_fault():
    fault = a_fault()
    fault.name = "Lock frozen solid"
    fault.save()


def change_a_likelihood():
    likelihood = Likelihood.objects.filter(fault=a_fault()).order_by("pk").first()
    likelihood.p_yes = round(likelihood.p_yes * 0.9, 3)
    likelihood.save()


def change_a_procedure_step():
    # thaw-frozen-lock is linked from A's faults only, not from its sibling's
    step = Step.objects.filter(
        procedure__vehicle_model__slug=A[0], procedure__slug="thaw-frozen-lock"
    ).first()
    step.text = step.text + " Slowly."
    step.save()


def verify_a_report():
    report = OwnerReport.objects.get(problem=a_fault().problem)  # sent by an owner (a_learns)
    report.status = OwnerReport.Status.VERIFIED
    report.save()


def switch_a_learning_off():
    row = PriorLearning.objects.get(problem=a_fault().problem)
    row.enabled = False
    row.save()


def compile_all():
    return {key: compiled_problem(*key) for key in PROBLEMS}


def recompiled_after(change, capture):
    compile_all()
    before = compiles.copy()
    with capture(execute=True), transaction.atomic():
        change()
    compile_all()
    return compiles - before


@pytest.fixture
def a_learns(two_models, django_capture_on_commit_callbacks):
    """Learning on for A, and an owner's report on A, not reviewed yet."""
    fault = a_fault()
    with django_capture_on_commit_callbacks(execute=True):
        PriorLearning.objects.update_or_create(
            problem=fault.problem, defaults={"enabled": True, "verified_weight": 1}
        )
    with django_capture_on_commit_callbacks(execute=True):
        generation = Generation.objects.get(vehicle_model__slug=A[0], code="j11")
        OwnerReport.objects.create(problem=fault.problem, generation=generation, fault=fault)


@pytest.mark.parametrize("edit", [rename_a_fault, change_a_likelihood, change_a_procedure_step])
def test_an_edit_of_one_problem_recompiles_that_problem_only(
    two_models, edit, django_capture_on_commit_callbacks
):
    recompiled = recompiled_after(edit, django_capture_on_commit_callbacks)
    assert recompiled == Counter({"nissan-qashqai/trunk-wont-open": 1})


@pytest.mark.parametrize("change", [verify_a_report, switch_a_learning_off])
def test_a_report_or_a_learning_change_on_one_problem_recompiles_that_problem_only(
    a_learns, change, django_capture_on_commit_callbacks
):
    recompiled = recompiled_after(change, django_capture_on_commit_callbacks)
    assert recompiled == Counter({"nissan-qashqai/trunk-wont-open": 1})


def test_the_untouched_problems_are_served_without_a_query(
    two_models, django_capture_on_commit_callbacks, django_assert_num_queries
):
    kept = compile_all()
    with django_capture_on_commit_callbacks(execute=True):
        rename_a_fault()
    with django_assert_num_queries(0):
        assert compiled_problem(*B) is kept[B]
        assert compiled_problem(*SIBLING) is kept[SIBLING]
    assert compiled_problem(*A).faults["lock-frozen"].name == "Lock frozen solid"


def test_a_procedure_shared_by_two_problems_retires_both(
    two_models, django_capture_on_commit_callbacks
):
    def change_the_emergency_procedure():  # both shipped problems' emergency procedure
        step = Step.objects.filter(
            procedure__vehicle_model__slug=A[0],
            procedure__slug="open-trunk-from-passenger-compartment",
        ).first()
        step.text += " Slowly."
        step.save()

    recompiled = recompiled_after(
        change_the_emergency_procedure, django_capture_on_commit_callbacks
    )
    assert recompiled == Counter(f"{model}/{problem}" for model, problem in (A, SIBLING))


def wizard(key):
    return f"/{key[0]}/{key[1]}/diagnose/?generation=j11"


def problem_page(key):
    return f"/{key[0]}/{key[1]}/"


KEPT = [wizard(B), problem_page(B), "/nissan-juke/", "/nissan-juke/faq/", wizard(SIBLING)]
# (the sitemap is not stored: Django builds it on every request)
RETIRED = [wizard(A), problem_page(A), "/nissan-qashqai/", "/"]


def rendered(client, url) -> bool:
    response = client.get(url)
    assert response.status_code == 200, url
    return bool(response.templates)


@pytest.mark.parametrize("edit", [rename_a_fault, change_a_procedure_step])
def test_an_edit_of_one_problem_retires_its_pages_and_the_lists_only(
    client, two_models, edit, django_capture_on_commit_callbacks
):
    for url in KEPT + RETIRED:
        client.get(url)
        assert not rendered(client, url), f"{url} was not stored"
    with django_capture_on_commit_callbacks(execute=True):
        edit()
    assert {url: rendered(client, url) for url in KEPT + RETIRED} == {
        **dict.fromkeys(KEPT, False),
        **dict.fromkeys(RETIRED, True),
    }


def test_a_verified_report_on_one_problem_leaves_the_others_pages_in_place(
    client, a_learns, django_capture_on_commit_callbacks
):
    for url in (wizard(A), wizard(B), wizard(SIBLING)):
        client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        verify_a_report()
    assert rendered(client, wizard(A))
    assert not rendered(client, wizard(B)) and not rendered(client, wizard(SIBLING))


def test_renaming_a_problem_retires_the_pages_at_its_old_address(
    client, two_models, django_capture_on_commit_callbacks
):
    old = problem_page(A)
    client.get(old)
    with django_capture_on_commit_callbacks(execute=True):
        problem = a_fault().problem
        problem.slug = "boot-wont-open"
        problem.save()
    assert client.get(old).status_code != 200 or rendered(client, old)


# --- the compiled problems a process keeps ---------------------------------------------------


def test_the_process_keeps_the_most_recently_used_compiled_problems(two_models, settings):
    settings.COMPILED_PROBLEMS_PER_PROCESS = 2
    compiled_problem(*A)
    compiled_problem(*B)
    compiled_problem(*A)  # A is now the more recently used
    compiled_problem(*SIBLING)  # one too many: B, the least recently used, goes
    assert [key[:2] for key in compiled_content._local.entries] == [A, SIBLING]
    before = compiles.copy()
    compiled_problem(*B)  # from the shared cache, not compiled again
    assert compiles == before


# --- layers one way --------------------------------------------------------------------------


def imported_modules(path: Path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module


@pytest.mark.parametrize("app", ["kb", "diagnosis"])
def test_the_content_and_the_diagnosis_import_nothing_of_the_feedback_layer(app):
    above = {"reports", "usage"}
    found = [
        f"{path.relative_to(BASE_DIR)}: {module}"
        for path in sorted((BASE_DIR / app).rglob("*.py"))
        for module in imported_modules(path)
        if module.split(".")[0] in above
    ]
    assert found == []
