"""Names of its own for each test run and each pytest-xdist worker.

Loaded with ``-p tests.parallel`` (pyproject's addopts), so it runs before pytest-django reads
Django's settings, which take ``CACHE_KEY_PREFIX`` from the environment. Runs and workers
may share one Redis (a session's suite beside its CI's, two workers of one run): each gets a
key prefix of its own, and the cache's ``clear()`` (which every test calls) removes only its
own prefix (web/cache.py). The PostgreSQL test database gets the same suffixes in
tests/conftest.py (``django_db_modify_db_settings``).

``TEST_RUN_ID`` names the run (.ci/run sets one per stage); ``PYTEST_XDIST_WORKER`` (gw0,
gw1, …) is set by pytest-xdist in each worker before it imports plugins.
"""

import os


def suffix() -> str:
    """The run's and the worker's names, joined: "" when neither is set."""
    names = (os.environ.get("TEST_RUN_ID", ""), os.environ.get("PYTEST_XDIST_WORKER", ""))
    return "_".join(name for name in names if name)


# The prefix as given to the run, kept once: a worker inherits its controller's environment,
# which this module has already changed.
_base = os.environ.setdefault(
    "TEST_CACHE_KEY_PREFIX_BASE", os.environ.get("CACHE_KEY_PREFIX", "carfaults-tests")
)
os.environ["CACHE_KEY_PREFIX"] = "-".join(part for part in (_base, suffix()) if part)
