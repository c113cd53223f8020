from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from campaigns.models import Letter
from campaigns.tasks import close_due_letters
from tests.factories import LetterFactory
from tests.support.worker import celery_worker, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_on_redis_runs_a_task_enqueued_on_commit():
    letter = LetterFactory(status=Letter.Status.OPEN, closes_at=timezone.now() - timedelta(hours=1))

    with celery_worker():
        with transaction.atomic():
            close_due_letters.delay_on_commit()

        def letter_closed():
            letter.refresh_from_db()
            return letter.status == Letter.Status.CLOSED

        assert wait_for(letter_closed)
