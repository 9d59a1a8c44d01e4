"""The migrations build the database the models describe, with the rows their data steps add.

The suite itself builds its test databases from the models (`--nomigrations` in pyproject's
addopts) and adds the data migrations' rows in tests/conftest.py: running the migrations in
every test process cost about 27 s of CPU each (kb 0008's 132 verbose-name changes alone
re-render the model states 132 times). This test runs the real `migrate` once, into a new
SQLite file, and holds its result to what the suite builds.
"""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps as installed_apps
from django.contrib.auth.models import Group

from kb.models import ProbabilityWord

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A SQLite file after `manage.py migrate`, open for reading."""
    path = tmp_path_factory.mktemp("migrated") / "migrated.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(path) as database:
        yield database


def columns_of_the_models() -> dict[str, set[str]]:
    return {
        model._meta.db_table: {field.column for field in model._meta.concrete_fields}
        for model in installed_apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def test_migrating_an_empty_database_makes_every_table_and_column_of_the_models(migrated):
    expected = columns_of_the_models()
    found = {
        table: {row[1] for row in migrated.execute(f'PRAGMA table_info("{table}")')}
        for (table,) in migrated.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    assert {table: found.get(table) for table in expected} == expected


def test_the_migrations_data_steps_add_what_the_suite_adds(migrated):
    # the suite's database: built from the models, then tests/conftest.py's data steps
    groups = {
        group.name: sorted(group.permissions.values_list("codename", flat=True))
        for group in Group.objects.all()
    }
    words = sorted(ProbabilityWord.objects.values_list("word_en", "word_ru", "value"))
    assert groups and words, "the suite's database lacks the data migrations' rows"

    migrated_groups: dict[str, list[str]] = {}
    for name, codename in migrated.execute(
        "SELECT g.name, p.codename FROM auth_group g"
        " JOIN auth_group_permissions gp ON gp.group_id = g.id"
        " JOIN auth_permission p ON p.id = gp.permission_id"
    ):
        migrated_groups.setdefault(name, []).append(codename)
    assert migrated_groups.keys() == groups.keys()
    for name, codenames in groups.items():
        only_migrated = set(migrated_groups[name]) - set(codenames)
        only_suite = set(codenames) - set(migrated_groups[name])
        assert not only_migrated and not only_suite, (name, only_migrated, only_suite)
    migrated_words = sorted(
        (english, russian, float(value))
        for english, russian, value in migrated.execute(
            "SELECT word_en, word_ru, value FROM kb_probabilityword"
        )
    )
    assert migrated_words == [(en, ru, float(value)) for en, ru, value in words]
    assert all(ru for _en, ru, _value in words), "every shipped word has its Russian one"
