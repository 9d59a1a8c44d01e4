import sys

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext, ngettext

from kb.validation import findings


class Command(BaseCommand):
    help = (
        "Validate the knowledge base: one line per finding, naming the object; "
        "exits 1 when there is any. The admin's “Content check” page lists the same findings."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="The language of the findings (default: %(default)s).",
        )

    def handle(self, *args, **options):
        # The findings are worded when the checks run, in the language active then.
        with translation.override(options["language"]):
            found = findings()
            lines = [finding.line() for finding in found]
            if found:
                count = len(found)
                lines.append(
                    ngettext("%(count)s problem found.", "%(count)s problems found.", count)
                    % {"count": count}
                )
            ok = gettext("Content OK.")
        for line in lines:
            self.stderr.write(line)
        if found:
            sys.exit(1)
        self.stdout.write(ok)
