import sys

from django.core.management.base import BaseCommand

from kb.validation import findings


class Command(BaseCommand):
    help = (
        "Validate the knowledge base: one line per finding, naming the object; "
        "exits 1 when there is any. The admin's “Content check” page lists the same findings."
    )

    def handle(self, *args, **options):
        found = findings()
        for finding in found:
            self.stderr.write(finding.line())
        if found:
            self.stderr.write(f"{len(found)} problem(s) found.")
            sys.exit(1)
        self.stdout.write("Content OK.")
