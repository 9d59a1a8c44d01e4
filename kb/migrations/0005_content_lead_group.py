"""Rights that fit the role.

A content editor (a mechanic keeping the content right) may no longer delete what everything
else hangs on (makes, vehicle models, generations: one confirmation took a whole model with its
problems, procedures and likelihoods) nor touch the rate levels, whose weights set every prior.
A "Content lead" may do all of it. Both groups get every other content permission, including
those of models added after the editor group was made (question groups).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR = "Content editor"
LEAD = "Content lead"
# What only a content lead may do, as (action, model) pairs.
LEAD_ONLY = [
    ("delete", "make"),
    ("delete", "vehiclemodel"),
    ("delete", "generation"),
    ("add", "ratelevel"),
    ("change", "ratelevel"),
    ("delete", "ratelevel"),
]


def set_up_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    assign_permissions(apps)


def assign_permissions(apps):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    content = Permission.objects.filter(content_type__app_label="kb")
    lead_only = [f"{action}_{model}" for action, model in LEAD_ONLY]
    editor, _ = Group.objects.get_or_create(name=EDITOR)
    editor.permissions.set(content.exclude(codename__in=lead_only))
    lead, _ = Group.objects.get_or_create(name=LEAD)
    lead.permissions.set(content)


def undo(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.filter(name=LEAD).delete()
    editor = Group.objects.filter(name=EDITOR).first()
    if editor:
        editor.permissions.set(Permission.objects.filter(content_type__app_label="kb"))


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0004_problem_draft_or_published"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(set_up_groups, undo)]
