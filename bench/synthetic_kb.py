"""A synthetic knowledge base of many models: the shipped content cloned onto N made-up models.

    from synthetic_kb import build
    build(300)   # 300 models ("Make 01 Model 001", ...), 10 per make, each a copy of the
                 # Qashqai: its generations, problems, faults, questions, likelihoods, rates,
                 # procedures and steps, FAQ

For bench/scale.py (in a scratch database) and the tests of pages that must stay small with
many models (in the test's transaction). Synthetic content is built only there: never in
fixtures/, never in a database anyone serves.

Rows are copied with bulk_create, a table at a time for all clones at once, so 300 models
(about 60,000 rows) take seconds. bulk_create sends no signals: no history row, no content
version bump; callers start from empty caches (a test's, a new process's).
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction

from kb.models import (
    FaqEntry,
    Fault,
    FaultRate,
    Generation,
    Likelihood,
    Make,
    Problem,
    Procedure,
    QuestionGroup,
    Step,
    Symptom,
    VehicleModel,
)

SOURCE = "nissan-qashqai"  # the shipped model every synthetic one copies
MODELS_PER_MAKE = 10

# Each table under a model, in an order where every row's parents come first, with the
# lookup that finds the source model's rows.
TABLES = [
    (Generation, "vehicle_model"),
    (Procedure, "vehicle_model"),
    (Step, "procedure__vehicle_model"),
    (Problem, "vehicle_model"),
    (QuestionGroup, "problem__vehicle_model"),
    (Symptom, "problem__vehicle_model"),
    (Fault, "problem__vehicle_model"),
    (Likelihood, "fault__problem__vehicle_model"),
    (FaultRate, "generation__vehicle_model"),
    (FaqEntry, "vehicle_model"),
]
MANY_TO_MANY = [(Fault, "procedures"), (FaqEntry, "procedures")]


def model_slug(number: int) -> str:
    return f"make-{(number - 1) // MODELS_PER_MAKE + 1:02d}-model-{number:03d}"


@transaction.atomic
def build(models: int, source: str = SOURCE) -> dict[str, int]:
    """Add `models` copies of the `source` model's content; the rows added, by table."""
    original = VehicleModel.objects.get(slug=source)
    makes = [
        Make(slug=f"make-{number:02d}", name_en=f"Make {number:02d}", name_ru=f"Марка {number:02d}")
        for number in range(1, (models - 1) // MODELS_PER_MAKE + 2)
    ]
    Make.objects.bulk_create(makes)
    clones = VehicleModel.objects.bulk_create(
        VehicleModel(
            make=makes[(number - 1) // MODELS_PER_MAKE],
            slug=model_slug(number),
            name_en=f"Model {number:03d}",
            name_ru=f"Модель {number:03d}",
        )
        for number in range(1, models + 1)
    )
    # new_pk[model class][source pk] = the copies' pks, one per clone, in the clones' order
    new_pk: dict[type, dict[int, list[int]]] = {VehicleModel: {original.pk: [c.pk for c in clones]}}
    added = {"make": len(makes), "vehiclemodel": len(clones)}
    for table, lookup in TABLES:
        rows = list(table.objects.filter(**{lookup: original}).order_by("pk"))
        copies = []
        for index in range(len(clones)):
            for row in rows:
                copies.append(_copy(row, index, new_pk))
        table.objects.bulk_create(copies, batch_size=2000)
        mapping = new_pk.setdefault(table, {})
        for position, row in enumerate(rows):
            mapping[row.pk] = [copies[i * len(rows) + position].pk for i in range(len(clones))]
        added[table._meta.model_name] = len(copies)
    for table, name in MANY_TO_MANY:
        through = getattr(table, name).through
        owner, target = _through_fields(through, table)
        links = through.objects.filter(**{f"{owner}__in": new_pk[table]}).values_list(
            f"{owner}_id", f"{target}_id"
        )
        owners, procedures = new_pk[table], new_pk[Procedure]
        copies = [
            through(**{f"{owner}_id": owners[mine][i], f"{target}_id": procedures[theirs][i]})
            for mine, theirs in links
            for i in range(len(clones))
        ]
        through.objects.bulk_create(copies, batch_size=5000)
        added[f"{table._meta.model_name} {name}"] = len(copies)
    return added


def _copy(row, index: int, new_pk: dict[type, dict[int, list[int]]]):
    """The row as clone `index` holds it: no pk, and its parents that were copied are that
    clone's copies (a fault group, a rate level or a safety warning is shared)."""
    values = {}
    for field in row._meta.concrete_fields:
        if field.primary_key:
            continue
        value = getattr(row, field.attname)
        if field.is_relation and value is not None and field.related_model in new_pk:
            value = new_pk[field.related_model][value][index]
        values[field.attname] = value
    return type(row)(**values)


def _through_fields(through, table) -> tuple[str, str]:
    names = defaultdict(list)
    for field in through._meta.concrete_fields:
        if field.is_relation:
            names[field.related_model].append(field.name)
    return names[table][0], names[Procedure][0]
