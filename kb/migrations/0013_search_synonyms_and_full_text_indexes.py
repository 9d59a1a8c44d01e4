"""Search that finds what owners type (issue 22) and scales (issue 20).

- SearchSynonym: owners' words and the pages' words for them, per language, kept by content
  staff (with history); both staff groups may edit them.
- On PostgreSQL only: a GIN index per searched table and language over the weighted, ё-folded
  tsvector that kb/search.py's ``vector_sql`` builds. The expression is copied here as it was
  when the index was made (a migration must not change with the code); tests/test_search.py
  checks that the queries use these indexes, so a change there needs a migration here.
"""

import django.db.models.deletion
from django.contrib.auth.management import create_permissions
import simple_history.models
from django.conf import settings
from django.db import migrations, models

EDITOR = "Content editor"
LEAD = "Content lead"
CONFIGS = {"en": "english", "ru": "russian"}
# table -> its searched fields, the title first (weights A, B, C, then D)
SEARCHED = {
    "kb_fault": ["name", "summary", "signs", "description"],
    "kb_symptom": ["question", "statement", "help_text"],
    "kb_procedure": ["title", "summary", "introduction", "tools", "tips"],
    "kb_step": ["title", "text"],
    "kb_faqentry": ["question", "answer"],
}


def vector(table, language):
    return " || ".join(
        f"setweight(to_tsvector('{CONFIGS[language]}'::regconfig, translate(coalesce("
        f"\"{name}_{language}\", ''), 'Ёё', 'Ее')), '{'ABCD'[min(index, 3)]}')"
        for index, name in enumerate(SEARCHED[table])
    )


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite searches by words (kb/search.py): nothing to index
    for table in SEARCHED:
        for language in CONFIGS:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {table}_search_{language} ON {table} "
                f"USING gin (({vector(table, language)}))"
            )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in SEARCHED:
        for language in CONFIGS:
            schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_{language}")


def set_up(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    assign_permissions(apps)


def assign_permissions(apps):
    """Synonyms are content: editors and leads keep them (and see their history)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    rights = Permission.objects.filter(
        content_type__app_label="kb",
        content_type__model__in=["searchsynonym", "historicalsearchsynonym"],
    )
    for name in (EDITOR, LEAD):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*rights)


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0012_probability_words_in_russian"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalSearchSynonym",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[("en", "English site"), ("ru", "Russian site")],
                        help_text="The site whose searches it expands.",
                        max_length=8,
                        verbose_name="language",
                    ),
                ),
                (
                    "words",
                    models.CharField(
                        help_text="What owners type, separated by commas, e.g. tailgate, boot, hatch.",
                        max_length=300,
                        verbose_name="owners’ words",
                    ),
                ),
                (
                    "means",
                    models.CharField(
                        help_text="The words the pages use for it, separated by commas, e.g. trunk. A search for any owners’ word also finds these.",
                        max_length=300,
                        verbose_name="pages’ words",
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical search synonym",
                "verbose_name_plural": "historical search synonyms",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="SearchSynonym",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[("en", "English site"), ("ru", "Russian site")],
                        help_text="The site whose searches it expands.",
                        max_length=8,
                        verbose_name="language",
                    ),
                ),
                (
                    "words",
                    models.CharField(
                        help_text="What owners type, separated by commas, e.g. tailgate, boot, hatch.",
                        max_length=300,
                        verbose_name="owners’ words",
                    ),
                ),
                (
                    "means",
                    models.CharField(
                        help_text="The words the pages use for it, separated by commas, e.g. trunk. A search for any owners’ word also finds these.",
                        max_length=300,
                        verbose_name="pages’ words",
                    ),
                ),
            ],
            options={
                "verbose_name": "search synonym",
                "verbose_name_plural": "search synonyms",
                "ordering": ["language", "words"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("language", "words"), name="unique_synonym_words"
                    )
                ],
            },
        ),
        migrations.RunPython(create_indexes, drop_indexes),
        migrations.RunPython(set_up, migrations.RunPython.noop),
    ]
