import sys

from django.core.management.base import BaseCommand

from kb.validation import content_problems

from ...validation import diagnosability_problems


class Command(BaseCommand):
    help = (
        "Validate the knowledge base: one line per problem, naming the object; "
        "exits 1 when there is any."
    )

    def handle(self, *args, **options):
        problems = [*content_problems(), *diagnosability_problems()]
        for line in problems:
            self.stderr.write(line)
        if problems:
            self.stderr.write(f"{len(problems)} problem(s) found.")
            sys.exit(1)
        self.stdout.write("Content OK.")
