"""Restore a `backup` file into a migrated, empty database (see backup.py and docs/deploy.md).

It refuses a database that already has content or users: restoring over them would mix two
histories. Loading runs in one transaction, so a failing file restores nothing.

Rows load as they were saved. A backup is what the database held, and the database may hold a
row that today's validation rejects (made in a shell or a data migration, or saved before a
validator was added): refusing the file for it would leave no way to restore at all. Such rows
are loaded and then listed, one line per field, for staff to fix in the admin. The database's
own constraints still apply: a row it rejects fails the restore, which names the row.
Shipped fixtures go through `load_content`, which still refuses an invalid object.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import BaseCommand, CommandError, call_command
from django.db import transaction
from django.test.utils import override_settings

from kb.content_version import bump_content_version
from kb.management.commands import load_content
from kb.models import CONTENT_MODELS


class LoadAsSaved(load_content.Command):
    """load_content that keeps a row today's validation rejects, and notes why."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.findings: list[str] = []

    def invalid(self, instance, error: ValidationError) -> None:
        name = load_content.describe(instance)
        self.findings += [f"{name} {part}" for part in load_content.explanations(error)]


class Command(BaseCommand):
    help = (
        "Restore a file written by `backup` into a migrated, empty database. Rows load as "
        "they were saved; those today's validation rejects are listed for staff to fix."
    )

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
        loader = LoadAsSaved(stdout=self.stdout, stderr=self.stderr)
        # The file holds the history: recording more while loading it (simple_history does on
        # the m2m sets of a raw load) would add rows that never happened.
        with override_settings(SIMPLE_HISTORY_ENABLED=False), transaction.atomic():
            call_command(loader, file, verbosity=options["verbosity"])
            transaction.on_commit(bump_content_version)
        self.stdout.write(f"Restored {file}. Check the content with: manage.py kb_check")
        if loader.findings:
            self.stdout.write(
                f"{len(loader.findings)} problem(s) that today's validation rejects, restored "
                "as they were saved; fix them in the admin:"
            )
            for line in loader.findings:
                self.stdout.write(f"  {line}")
