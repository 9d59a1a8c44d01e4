"""Content editors and content leads keep the test cases: add, change, delete and view them
(a case is content like a likelihood; publishing still needs the content check to pass)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = ("Content editor", "Content lead")
MODELS = ("scenariocase", "historicalscenariocase")


def grant(apps, schema_editor):
    app_config = apps.get_app_config("diagnosis")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    assign_permissions(apps)


def assign_permissions(apps):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    rights = Permission.objects.filter(
        content_type__app_label="diagnosis", content_type__model__in=MODELS
    )
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*rights)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    rights = Permission.objects.filter(content_type__app_label="diagnosis")
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*rights)


class Migration(migrations.Migration):
    dependencies = [
        ("diagnosis", "0001_test_cases"),
        ("kb", "0005_content_lead_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
