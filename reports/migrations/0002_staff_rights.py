"""Rights on reports for the staff groups kb's migrations create.

A content editor sees every report and learning row, marks owner reports spam or verified,
records and corrects workshop reports, and applies observed yes-rates to likelihoods; deleting
a workshop report (a confirmed repair) and changing how strongly reports count (learning
settings, which move every prior like the rate levels) stay with a content lead, or with
whoever is granted those rights one by one.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR = "Content editor"
LEAD = "Content lead"
EDITOR_RIGHTS = [
    "view_ownerreport",
    "change_ownerreport",
    "view_workshopreport",
    "add_workshopreport",
    "change_workshopreport",
    "view_priorlearning",
    "view_likelihoodcheck",
    "change_likelihoodcheck",
]


def set_up(apps, schema_editor):
    app_config = apps.get_app_config("reports")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    assign_permissions(apps)


def assign_permissions(apps):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    reports = Permission.objects.filter(content_type__app_label="reports")
    editor, _ = Group.objects.get_or_create(name=EDITOR)
    editor.permissions.add(*reports.filter(codename__in=EDITOR_RIGHTS))
    lead, _ = Group.objects.get_or_create(name=LEAD)
    lead.permissions.add(*reports)


def undo(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    reports = Permission.objects.filter(content_type__app_label="reports")
    for group in Group.objects.filter(name__in=[EDITOR, LEAD]):
        group.permissions.remove(*reports)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("kb", "0006_plain_words_help_and_probability_words"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(set_up, undo)]
