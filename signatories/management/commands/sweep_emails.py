from django.core.management.base import BaseCommand

from signatories import outbox


class Command(BaseCommand):
    help = (
        "Queue again every email whose background job was lost (what the periodic task does); "
        "for cron, or by hand after a broker outage."
    )

    def handle(self, *args, **options):
        requeued = outbox.sweep()
        self.stdout.write(f"Re-queued {requeued} emails." if requeued else "Nothing to re-queue.")
