"""Deleting a problem is a content lead's right.

One confirmation deletes a whole problem: its causes, questions and every likelihood between
them (issue 19: "Trunk opens but slams shut" went with 3 causes, 5 questions and 15
likelihoods). A content editor keeps every other right on problems; "Recently deleted" undoes
a delete either way.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR = "Content editor"
LEAD = "Content lead"
LEAD_ONLY = ["delete_problem"]


def set_up(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    assign_permissions(apps)


def assign_permissions(apps):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    rights = Permission.objects.filter(content_type__app_label="kb", codename__in=LEAD_ONLY)
    editor, _ = Group.objects.get_or_create(name=EDITOR)
    editor.permissions.remove(*rights)
    lead, _ = Group.objects.get_or_create(name=LEAD)
    lead.permissions.add(*rights)


def undo(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    rights = Permission.objects.filter(content_type__app_label="kb", codename__in=LEAD_ONLY)
    for editor in Group.objects.filter(name=EDITOR):
        editor.permissions.add(*rights)


class Migration(migrations.Migration):
    dependencies = [("kb", "0008_verbose_names_for_the_russian_admin")]

    operations = [migrations.RunPython(set_up, undo)]
