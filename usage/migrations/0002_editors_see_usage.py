"""Content editors and content leads see the usage dashboard (permission usage.view_dailycount).

Only "view": counts are written by `manage.py flush_usage`, never edited by hand.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = ("Content editor", "Content lead")
PERMISSION = "view_dailycount"


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    assign_permissions(apps)


def assign_permissions(apps):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="usage", codename=PERMISSION)
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="usage", codename=PERMISSION)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("usage", "0001_initial"),
        ("kb", "0005_content_lead_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
