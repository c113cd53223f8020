import logging

from celery import shared_task

from campaigns.counts import recount
from campaigns.models import Letter
from campaigns.services import letters_close_due

logger = logging.getLogger(__name__)


@shared_task
def close_due_letters() -> int:
    """Run by celery beat: stored status catches up with closing dates."""
    return letters_close_due()


@shared_task
def check_counts() -> int:
    """Run nightly by celery beat: counts that disagree with the signatures are a bug, so
    they are logged as errors for someone to look at (and repair with `manage.py recount`)."""
    drifted = 0
    for letter in Letter.objects.all():
        for item in recount(letter, repair=False):
            logger.error(
                "Count drift on letter %s, country %s: counted %s, signatures say %s",
                letter.slug,
                item.country,
                item.stored,
                item.actual,
            )
            drifted += 1
    return drifted
