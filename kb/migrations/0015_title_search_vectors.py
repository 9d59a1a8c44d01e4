"""Search that finds its best rows without ranking every match (issue 20, search time).

On PostgreSQL only: each searched table gets a stored, generated
``search_title_<language>`` tsvector column, the title's (a fault's name, a symptom's or FAQ entry's question, a procedure's or
step's title) words alone, ё folded, with a GIN index. kb/search.py takes its candidates in
tiers (every concept in the title, every concept anywhere, any in the title, any anywhere),
each tier a LIMIT the index stops early, rather than ``ts_rank`` over every matching row: at
300 models a common word matches thousands of rows, and ranking them all cost 30–45 ms a
table. The columns are not fields of the models: PostgreSQL fills them, and only
kb/search.py's SQL reads them.
"""

from itertools import product

from django.db import migrations

CONFIGS = {"en": "english", "ru": "russian"}
TITLES = {
    "kb_fault": "name",
    "kb_symptom": "question",
    "kb_procedure": "title",
    "kb_step": "title",
    "kb_faqentry": "question",
}


def title_vector(table, language):
    return (
        f"to_tsvector('{CONFIGS[language]}'::regconfig, "
        f"translate(coalesce(\"{TITLES[table]}_{language}\", ''), 'Ёё', 'Ее'))"
    )


def add_columns(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite searches by words (kb/search.py): nothing stored
    for table, language in product(TITLES, CONFIGS):
        column = f"search_title_{language}"
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} tsvector "
            f"GENERATED ALWAYS AS ({title_vector(table, language)}) STORED"
        )
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_{column} ON {table} USING gin ({column})"
        )


def drop_columns(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, language in product(TITLES, CONFIGS):
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_title_{language}")


class Migration(migrations.Migration):
    dependencies = [("kb", "0014_stored_search_vectors")]

    operations = [migrations.RunPython(add_columns, drop_columns, elidable=False)]
