"""Restore a `backup` file into a migrated, empty database (see backup.py and docs/deploy.md).

It refuses a database that already has content or users: restoring over them would mix two
histories. Loading runs in one transaction through the project's load_content (which validates
each content object), so a failing file restores nothing.
"""

from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, CommandError, call_command
from django.db import transaction
from django.test.utils import override_settings

from kb.content_version import bump_content_version
from kb.models import CONTENT_MODELS


class Command(BaseCommand):
    help = "Restore a file written by `backup` into a migrated, empty database."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the file written by `manage.py backup`")

    def handle(self, *args, file, **options):
        filled = [str(m._meta.verbose_name_plural) for m in CONTENT_MODELS if m.objects.exists()]
        if get_user_model().objects.exists():
            filled.append("users")
        if filled:
            raise CommandError(
                f"This database is not empty (it has {', '.join(filled)}). Restore into a "
                "new database: create it, run `manage.py migrate`, then `manage.py restore`."
            )
        # The file holds the history: recording more while loading it (simple_history does on
        # the m2m sets of a raw load) would add rows that never happened.
        with override_settings(SIMPLE_HISTORY_ENABLED=False), transaction.atomic():
            call_command("load_content", file, verbosity=options["verbosity"])
            transaction.on_commit(bump_content_version)
        self.stdout.write(f"Restored {file}. Check the content with: manage.py kb_check")
