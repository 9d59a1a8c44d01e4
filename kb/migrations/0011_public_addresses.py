"""A public page's address is a content lead's to change, and an old address redirects.

Slugs and generation codes are in public URLs: an editor renaming one broke every link,
bookmark and search result to the page (issue 21). A content lead may still rename; the old
address is then kept as a MovedAddress and answers a permanent redirect (kb/addresses.py).
"""

from django.contrib.auth.management import create_permissions
import django.utils.timezone
from django.db import migrations, models


EDITOR = "Content editor"
LEAD = "Content lead"


def set_up(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    assign_permissions(apps)


def assign_permissions(apps):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    kb = Permission.objects.filter(content_type__app_label="kb")
    view = kb.filter(codename="view_movedaddress")
    lead_only = kb.filter(codename="change_public_address") | kb.filter(
        content_type__model="movedaddress"
    ).exclude(codename="view_movedaddress")
    editor, _ = Group.objects.get_or_create(name=EDITOR)
    editor.permissions.remove(*lead_only)
    editor.permissions.add(*view)
    lead, _ = Group.objects.get_or_create(name=LEAD)
    lead.permissions.add(*lead_only, *view)


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0010_deletion"),
    ]

    operations = [
        migrations.CreateModel(
            name="MovedAddress",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "old_path",
                    models.CharField(
                        help_text="The address that was public, e.g. /nissan-qashqai/old-slug/.",
                        max_length=500,
                        unique=True,
                        verbose_name="old address",
                    ),
                ),
                (
                    "new_path",
                    models.CharField(
                        help_text="Where a request for it (or for a page under it) is sent.",
                        max_length=500,
                        verbose_name="new address",
                    ),
                ),
                (
                    "date",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="moved"
                    ),
                ),
            ],
            options={
                "verbose_name": "moved address",
                "verbose_name_plural": "moved addresses",
                "ordering": ["-date"],
            },
        ),
        migrations.AlterModelOptions(
            name="problem",
            options={
                "ordering": ["vehicle_model", "order", "title"],
                "permissions": [
                    ("change_public_address", "Can change the address of a public page")
                ],
                "verbose_name": "problem",
                "verbose_name_plural": "problems",
            },
        ),
        migrations.RunPython(set_up, migrations.RunPython.noop),
    ]
