from celery import shared_task

from campaigns.services import letters_close_due


@shared_task
def close_due_letters() -> int:
    """Run by celery beat: stored status catches up with closing dates."""
    return letters_close_due()
