"""Full-text search that stays fast on a large catalog (issue 20, the scale benchmark).

On PostgreSQL only: each searched table gets a stored, generated ``search_<language>`` tsvector
column (the same weighted, ё-folded vector 0013 indexed as an expression) and its GIN index
moves onto that column. The index finds the rows either way; but ``ts_rank``, which picks the
best of them, read an expression index's vector again from the texts, stemming every matching
row's texts per query (at 300 models a common word matches thousands of steps: 0.4 s a table).
A stored vector is read, not rebuilt. The columns are not fields of the models: PostgreSQL
fills them, and only kb/search.py's SQL reads them.

The expression is 0013's (a migration must not change with the code).
"""

from importlib import import_module
from itertools import product

from django.db import migrations

_0013 = import_module("kb.migrations.0013_search_synonyms_and_full_text_indexes")


def searched():
    """(table, language) of every stored vector."""
    return product(_0013.SEARCHED, _0013.CONFIGS)


def add_columns(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite searches by words (kb/search.py): nothing stored
    for table, language in searched():
        index, column = f"{table}_search_{language}", f"search_{language}"
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} tsvector "
            f"GENERATED ALWAYS AS ({_0013.vector(table, language)}) STORED"
        )
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin ({column})")


def drop_columns(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, language in searched():
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_{language}")
    _0013.create_indexes(apps, schema_editor)  # the expression indexes, as they were


class Migration(migrations.Migration):
    dependencies = [("kb", "0013_search_synonyms_and_full_text_indexes")]

    operations = [migrations.RunPython(add_columns, drop_columns, elidable=False)]
