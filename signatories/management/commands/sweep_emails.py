from django.conf import settings
from django.core.management.base import BaseCommand

from signatories import local_sender, outbox


class Command(BaseCommand):
    help = (
        "Queue again every email whose background job was lost (what the periodic task does); "
        "for cron, or by hand after a broker outage."
    )

    def handle(self, *args, **options):
        requeued = outbox.sweep()
        self.stdout.write(f"Re-queued {requeued} emails." if requeued else "Nothing to re-queue.")
        if requeued and settings.EMAIL_JOBS == "thread":
            # The embedded default sends from a thread of this process: let it finish first.
            local_sender.sender.drain(timeout=60 + 6 * settings.EMAIL_TIMEOUT)
