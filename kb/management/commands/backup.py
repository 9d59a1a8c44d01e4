"""Everything staff made, in one file: content, its history, users, groups, the admin log,
and every app listed in settings.BACKUP_APPS (confirmed-fix reports, usage counts).

    python manage.py backup -o carfaults-2026-11-30.json
    python manage.py restore carfaults-2026-11-30.json      # into a migrated, empty database

Rows keep their ids, so history rows (which name their object by id) and the admin log still
point at the right objects after a restore; foreign keys to users, permissions and content
types are written by natural key (user name, codename, app and model), which a new database
resolves to its own ids. Groups go by name only: `migrate` creates the "Content editor" group,
and a restore then updates it rather than clashing with it. Sessions and login attempts are
not backed up: a restore asks everyone to log in again. The file holds password hashes: it is
written readable by its owner only (0600).
"""

import json
import os

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import BaseCommand

from kb.exact_json import ExactEncoder


def models_to_back_up() -> list:
    """Groups first (by name), then users, kb (content and history), the apps of
    BACKUP_APPS, the admin log, in an order where what a row refers to comes before it. kb
    names the other apps only by label: it imports none of them."""
    by_id = serializers.sort_dependencies(
        [
            (apps.get_app_config("auth"), [apps.get_model("auth.User")]),
            (apps.get_app_config("kb"), None),
            *[(apps.get_app_config(label), None) for label in settings.BACKUP_APPS],
            (apps.get_app_config("admin"), [apps.get_model("admin.LogEntry")]),
        ],
        allow_cycles=True,
    )
    return [apps.get_model("auth.Group"), *by_id]


def serialize(model) -> list:
    by_name = model._meta.label == "auth.Group"
    rows = model._base_manager.order_by(model._meta.pk.name)
    return serializers.serialize(
        "python", rows, use_natural_foreign_keys=True, use_natural_primary_keys=by_name
    )


class Command(BaseCommand):
    help = (
        "Back up content, history, reports, usage counts, users, groups and the admin log "
        "to one JSON file."
    )

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help="the file to write")

    def handle(self, *args, output, **options):
        objects = [row for model in models_to_back_up() for row in serialize(model)]
        # Password hashes are in it: readable by its owner only, also when the file existed
        # (os.open's mode applies only to a file it creates).
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(objects, file, cls=ExactEncoder, ensure_ascii=False, indent=1)
        self.stdout.write(f"Backed up {len(objects)} objects to {output}.")
