"""The shipped content: everything of the seed article, loaded on SQLite and PostgreSQL alike."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kb.management.commands.load_content import FixtureContentError
from kb.models import (
    FaqEntry,
    Fault,
    FaultRate,
    Generation,
    Likelihood,
    Problem,
    Procedure,
    SafetyWarning,
    Symptom,
)
from tests.design_contract import DESIGN_FAULTS, DESIGN_SYMPTOMS

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "nissan-qashqai-trunk.json"

# The seed's table: fault type → level for J10 (2007–2013), J11 (2014–2021), J12 (2022+).
SEED_RATE_TABLE = {
    "broken-drive-cable": ("high", "average", "low"),
    "lock-malfunction": ("average", "high", "average"),
    "electronics-failure": ("low", "average", "high"),
    "handle-breakage": ("high", "average", "low"),
}


def test_generations_and_problems(content):
    generations = {g.code: (g.year_from, g.year_to) for g in Generation.objects.all()}
    assert generations == {
        "j10": (2007, 2013),
        "j11": (2014, 2017),
        "j11-facelift": (2018, 2021),
        "j12": (2022, None),
    }
    assert Generation.objects.get(code="j11-facelift").is_facelift
    assert set(Problem.objects.values_list("slug", flat=True)) == set(DESIGN_FAULTS)


def test_every_design_fault_and_symptom_exists(content):
    for problem, slugs in DESIGN_FAULTS.items():
        assert (
            set(Fault.objects.filter(problem__slug=problem).values_list("slug", flat=True)) == slugs
        )
    trunk = set(
        Symptom.objects.filter(problem__slug="trunk-wont-open").values_list("slug", flat=True)
    )
    assert trunk >= DESIGN_SYMPTOMS


def test_fault_rate_table_equals_the_seed(content):
    columns = {"j10": 0, "j11": 1, "j11-facelift": 1, "j12": 2}
    rates = FaultRate.objects.filter(group__in_rate_table=True).select_related(
        "group", "generation", "level"
    )
    table = {(r.group.slug, r.generation.code): r.level.slug for r in rates}
    assert len(table) == 16
    for group, levels in SEED_RATE_TABLE.items():
        for code, column in columns.items():
            assert table[(group, code)] == levels[column], (group, code)


def test_procedures_warnings_faq_and_prices(content):
    assert Procedure.objects.count() >= 12
    assert {"quick-check", "emergency", "repair", "maintenance"} <= set(
        Procedure.objects.values_list("kind", flat=True)
    )
    assert SafetyWarning.objects.count() == 3
    assert all(w.steps.exists() for w in SafetyWarning.objects.all())
    assert FaqEntry.objects.count() == 5
    lock = Procedure.objects.get(part_original_min__isnull=False)
    assert (lock.part_original_min, lock.part_original_max) == (15000, 25000)
    assert (lock.part_analogue_min, lock.part_analogue_max) == (5000, 10000)
    assert (lock.labour_min, lock.labour_max) == (3000, 5000)
    assert (lock.time_min_minutes, lock.time_max_minutes) == (60, 120)
    assert lock.currency == "RUB"
    for procedure in Procedure.objects.all():
        numbers = list(procedure.steps.values_list("number", flat=True))
        assert numbers == list(range(1, len(numbers) + 1)), procedure.slug
    emergency = Problem.objects.get(slug="trunk-wont-open").emergency_procedure
    assert emergency.kind == "emergency"
    assert "Every six months" in Procedure.objects.filter(kind="maintenance").values_list(
        "interval", flat=True
    )
    assert Problem.objects.get(slug="trunk-wont-open").buyer_advice


def test_every_fault_has_procedures_and_likelihoods(content):
    for fault in Fault.objects.all():
        assert fault.procedures.exists(), fault.slug
        assert fault.likelihoods.exists(), fault.slug
    assert Likelihood.objects.filter(p_yes__in=[0, 1]).count() == 0


def test_loading_twice_changes_nothing(content):
    counts = {m: m.objects.count() for m in (Fault, Symptom, Likelihood, Procedure, FaqEntry)}
    call_command("load_content", str(FIXTURE), verbosity=0)
    assert counts == {m: m.objects.count() for m in counts}


def broken_copy(tmp_path, mutate) -> Path:
    objects = json.loads(FIXTURE.read_text())
    mutate(objects)
    path = tmp_path / "broken-content.json"
    path.write_text(json.dumps(objects))
    return path


def first(objects, model, **fields):
    return next(
        o
        for o in objects
        if o["model"] == model and all(o["fields"].get(k) == v for k, v in fields.items())
    )


def test_wrong_value_names_file_object_and_field_and_loads_nothing(tmp_path, empty_kb):
    def mutate(objects):
        first(objects, "kb.likelihood")["fields"]["p_yes"] = 1.5

    path = broken_copy(tmp_path, mutate)
    with pytest.raises(FixtureContentError, match="must be between 0 % and 100 %") as error:
        call_command("load_content", str(path), verbosity=0)
    message = str(error.value)
    assert "broken-content.json" in message
    assert "kb.likelihood (nissan-qashqai, " in message
    assert "field p_yes: How often “yes” with this cause must be between 0 % and 100 %" in message
    assert Fault.objects.count() == 0 and Procedure.objects.count() == 0


def test_generation_years_out_of_order_are_refused(tmp_path, empty_kb):
    def mutate(objects):
        first(objects, "kb.generation", year_from=2007)["fields"]["year_to"] = 2001

    with pytest.raises(FixtureContentError, match=r"kb.generation \(nissan-qashqai, j10\)"):
        call_command("load_content", str(broken_copy(tmp_path, mutate)), verbosity=0)
    assert Generation.objects.count() == 0


def test_unknown_choice_is_refused(tmp_path, empty_kb):
    def mutate(objects):
        first(objects, "kb.procedure")["fields"]["kind"] = "magic"

    with pytest.raises(FixtureContentError, match="field kind"):
        call_command("load_content", str(broken_copy(tmp_path, mutate)), verbosity=0)


def test_missing_fixture_is_a_clear_error():
    with pytest.raises(CommandError, match="No fixture named"):
        call_command("load_content", "no-such-content", verbosity=0)
