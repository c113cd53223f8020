"""Background jobs. Each is a one-line call: the email policy lives in signatories.outbox, the
counts in signatories.counts."""

import logging
from dataclasses import asdict

from celery import shared_task

from campaigns.models import Letter
from signatories import outbox, retention, updates
from signatories.counts import recount

logger = logging.getLogger(__name__)


@shared_task
def send_signature_email(signature_id: int, job: str, token: str = "") -> None:
    """Send the email queued on the signature under `job`, if it is still that job's."""
    outbox.deliver(signature_id=signature_id, job=job, token=token)


@shared_task
def sweep_emails() -> int:
    """Run by celery beat: queue again the emails whose job was lost."""
    return outbox.sweep()


@shared_task
def check_counts() -> int:
    """Run nightly by celery beat: repair counts that disagree with the signatures. Drift is a
    bug, so each is logged as an error for someone to look into."""
    drifted = 0
    for letter in Letter.objects.order_by("pk"):
        for item in recount(letter, repair=True):
            logger.error(
                "Count drift on letter %s, country %s: counted %s, signatures say %s; repaired",
                letter.slug,
                item.country,
                item.stored,
                item.actual,
            )
            drifted += 1
    return drifted


@shared_task
def purge() -> dict:
    """Run daily by celery beat: the retention periods (signatories.retention)."""
    report = retention.purge()
    logger.info("Purge: %s", "; ".join(report.lines()))
    return asdict(report)


@shared_task
def send_update_chunk(update_id: int, first_id: int, last_id: int) -> int:
    """Send an update to the recipients of one chunk of its deliveries that are still owed it."""
    return updates.deliver_chunk(update_id=update_id, first_id=first_id, last_id=last_id)


@shared_task
def sweep_updates() -> int:
    """Run by celery beat: queue again the chunks of updates whose job was lost."""
    return updates.sweep()
