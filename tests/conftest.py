from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command

FIXTURES = sorted(
    str(p) for p in (Path(__file__).resolve().parent.parent / "fixtures").glob("*.json")
)


def load_content():
    call_command("loaddata", *FIXTURES, verbosity=0)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the shipped content once; each test's transaction is rolled back around it."""
    with django_db_blocker.unblock():
        load_content()


def pytest_collection_modifyitems(items):
    # Browser tests flush the database when they end, so they run after the others.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with empty caches, as a fresh deployment would."""
    from diagnosis import content

    cache.clear()
    content._local.clear()
    yield
    cache.clear()
    content._local.clear()


@pytest.fixture
def content(db):
    """The shipped content, as `make run` loads it."""
    from kb.models import Fault

    if not Fault.objects.exists():  # flushed by a transactional test
        load_content()


@pytest.fixture
def empty_kb(db):
    """No content at all (inside this test's transaction)."""
    from kb import models

    for model in (
        models.FaqEntry, models.Likelihood, models.Step, models.Fault, models.Symptom,
        models.Problem, models.Procedure, models.FaultRate, models.Generation,
        models.VehicleModel, models.Make, models.FaultGroup, models.RateLevel,
        models.SafetyWarning,
    ):
        model.objects.all().delete()


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    """Tests run without collectstatic; production's hashed manifest is tested on its own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
