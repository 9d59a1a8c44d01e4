"""A pytest plugin for the mutation runs (`make mutation`): the tests that need no database
run before those that do.

pytest-django runs database tests first. The mutation runs stop at the first failure (-x), and
most mutants fail a fast engine test in well under a second, while the first database test
builds the test database and loads the shipped content (3 s with --nomigrations). With the
fast tests first, a mutant they catch never builds the database. Loaded with
`-p tests.fast_tests_first` (pyproject.toml [tool.mutmut], tests/mutate_constants.py); the
regular suite keeps pytest-django's order.
"""

import pytest

DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


def _needs_database(item: pytest.Item) -> bool:
    return item.get_closest_marker("django_db") is not None or bool(
        DB_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Stable: the database tests keep pytest-django's order among themselves.
    items.sort(key=_needs_database)
