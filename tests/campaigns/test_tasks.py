from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from campaigns.models import Letter
from campaigns.tasks import close_due_letters
from tests.factories import LetterFactory


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_in_a_transaction_runs_only_after_commit():
    letter = LetterFactory(status=Letter.Status.OPEN, closes_at=timezone.now() - timedelta(hours=1))

    with transaction.atomic():
        close_due_letters.delay_on_commit()
        letter.refresh_from_db()
        assert letter.status == Letter.Status.OPEN  # not yet: the transaction is still open

    letter.refresh_from_db()
    assert letter.status == Letter.Status.CLOSED


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_in_a_rolled_back_transaction_never_runs():
    letter = LetterFactory(status=Letter.Status.OPEN, closes_at=timezone.now() - timedelta(hours=1))

    with pytest.raises(RuntimeError), transaction.atomic():
        close_due_letters.delay_on_commit()
        raise RuntimeError("the request failed")

    letter.refresh_from_db()
    assert letter.status == Letter.Status.OPEN


@pytest.mark.django_db
def test_closing_due_letters_leaves_the_others_alone():
    due = LetterFactory(closes_at=timezone.now() - timedelta(seconds=1))
    later = LetterFactory(closes_at=timezone.now() + timedelta(days=1))
    draft = LetterFactory(status=Letter.Status.DRAFT, closes_at=timezone.now() - timedelta(days=1))

    assert close_due_letters() == 1

    statuses = {letter.pk: letter.status for letter in Letter.objects.all()}
    assert statuses == {due.pk: "closed", later.pk: "open", draft.pk: "draft"}
