"""The embedded default sends emails from a thread of the web process: a request never waits
on the SMTP server, and a failure is retried later with the usual backoff."""

import smtplib
import time

import pytest
from django.core import mail

from signatories import local_sender
from signatories.models import Signature
from tests.signatories.helpers import sign
from tests.support.mail import ScriptedBackend
from tests.support.worker import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def in_process(settings, monkeypatch):
    settings.EMAIL_JOBS = "thread"
    settings.EMAIL_BACKEND = "tests.support.mail.ScriptedBackend"
    settings.EMAIL_RETRY_BACKOFF = 1
    monkeypatch.setattr(ScriptedBackend, "failures", [])
    sender = local_sender.LocalSender()
    monkeypatch.setattr(local_sender, "sender", sender)
    yield ScriptedBackend.failures
    sender.stop()


def test_the_request_answers_before_the_email_goes_and_the_email_goes(client, letter, in_process):
    response = sign(client, letter)

    assert response.status_code == 302
    assert wait_for(lambda: len(mail.outbox) == 1, timeout=10)
    assert Signature.objects.get().email_state == "sent"


def test_a_failure_is_retried_later_with_the_backoff(client, letter, in_process):
    in_process += [smtplib.SMTPDataError(421, b"try later"), smtplib.SMTPServerDisconnected("x")]

    started = time.monotonic()
    sign(client, letter)
    answered = time.monotonic() - started

    assert wait_for(lambda: len(mail.outbox) == 1, timeout=30)
    signature = Signature.objects.get()
    assert (signature.email_state, signature.email_attempts) == ("sent", 3)
    assert answered < time.monotonic() - started  # the request did not wait for the retries


def test_sweep_emails_sends_before_the_command_exits(letter, in_process):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from tests.factories import SignatureFactory

    lost = SignatureFactory(letter=letter, status="approved", email_kind="approved")
    Signature.objects.filter(pk=lost.pk).update(
        email_state="queued", email_job="lost", email_due_at=timezone.now() - timedelta(hours=1)
    )

    call_command("sweep_emails")

    assert [message.to for message in mail.outbox] == [[lost.contact_email]]
