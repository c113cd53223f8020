"""While the broker is down, every request that queues an email still answers at once and in
full; the email waits in its row, due for the sweep."""

import time

import pytest
from django.core import mail
from django.utils import timezone

from config.celery import app as celery_app
from signatories import outbox
from tests.signatories.test_admin import act

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down(monkeypatch):
    monkeypatch.setattr(outbox, "_broker_down_until", 0.0)
    previous = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    celery_app._pool, celery_app.amqp._producer_pool = None, None
    yield
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = previous
    celery_app._pool, celery_app.amqp._producer_pool = None, None


def due_for_the_sweep(signature) -> bool:
    signature.refresh_from_db()
    return signature.email_state == "queued" and signature.email_due_at < (
        timezone.now() - outbox.lost_after()
    )


def test_confirm_and_approve_answer_and_leave_their_emails_to_the_sweep(
    client, admin_client, letter, broker_down
):
    from signatories.tokens import confirmation_expiry, new_token
    from tests.factories import SignatureFactory

    token, digest = new_token()
    signature = SignatureFactory(
        letter=letter, confirmation_token_hash=digest, confirmation_expires_at=confirmation_expiry()
    )
    started = time.monotonic()

    confirmed = client.post(f"/signatures/confirm/{token}/")
    assert confirmed.status_code == 200 and due_for_the_sweep(signature)
    approved = act(admin_client, "approve_signatures", [signature])
    assert "Approved 1 signature." in approved.text and due_for_the_sweep(signature)

    # One failed connection attempt, then the broker is skipped for a while: no hang.
    assert time.monotonic() - started < 3
    assert (signature.status, signature.email_kind) == ("approved", "approved")
    assert mail.outbox == []
