"""Write the usage counters from the cache to the database (docs/usage.md).

Run it every few minutes from cron, or let the compose service `usage-flush` do it:

    */5 * * * *  cd /srv/carfaults && .venv/bin/python manage.py flush_usage

Running it twice in a row writes nothing the second time.
"""

from django.core.management.base import BaseCommand

from usage import counters


class Command(BaseCommand):
    help = "Move the usage counters from the cache into the database (idempotent)."

    def handle(self, *args, **options):
        if not counters.uses_redis():
            self.stderr.write(
                "No REDIS_URL: counters live in each web process's memory, which this process "
                "cannot read. Use the dashboard's “Write the counts now” instead."
            )
        written = counters.flush()
        self.stdout.write(
            f"usage: {written['events']} events in {written['batches']} batches, "
            f"{written['rows']} daily rows updated"
        )
