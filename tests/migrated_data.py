"""The rows the data migrations add, for test databases built from the models."""

from importlib import import_module

# Data migrations whose rows a test database needs: (app, migration, function(apps)).
DATA_MIGRATIONS = [
    ("kb", "0005_content_lead_group", "assign_permissions"),
    ("kb", "0006_plain_words_help_and_probability_words", "seed"),
    ("kb", "0009_only_leads_delete_problems", "assign_permissions"),
    ("kb", "0011_public_addresses", "assign_permissions"),
    ("kb", "0012_probability_words_in_russian", "seed"),
    ("kb", "0013_search_synonyms_and_full_text_indexes", "assign_permissions"),
    ("reports", "0002_staff_rights", "assign_permissions"),
    ("usage", "0002_editors_see_usage", "assign_permissions"),
    ("diagnosis", "0002_editors_keep_test_cases", "assign_permissions"),
]
# kb models made after 0005: when it ran, their rights did not exist, so editors got none.
MADE_AFTER_0005 = [
    "probabilityword",
    "historicalprobabilityword",
    "deletion",
    "movedaddress",
    "searchsynonym",
    "historicalsearchsynonym",
]


def restore_migrated_groups():
    """Adds what the data migrations add: the staff groups and their rights, the probability
    words. A test database built from the models lacks them, and a flush removes them.
    tests/test_migrations.py holds the result to what `migrate` makes."""
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    for app_label, migration, function in DATA_MIGRATIONS:
        getattr(import_module(f"{app_label}.migrations.{migration}"), function)(apps)
        if migration == "0005_content_lead_group":
            # Run now, 0005 also finds the rights on models made after it, which it never
            # gave (they did not exist yet); the later steps give what they give.
            later = Permission.objects.filter(
                content_type__app_label="kb", content_type__model__in=MADE_AFTER_0005
            )
            for group in Group.objects.filter(name__in=["Content editor", "Content lead"]):
                group.permissions.remove(*later)
