"""The email jobs, run in process: idempotence, and what a failure leaves on the signature."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from config.celery import app as celery_app
from signatories import services
from signatories.models import Signature
from signatories.tasks import describe, is_transient, send_confirmation_email, send_notice_email
from tests.conftest import committed
from tests.factories import SignatureFactory
from tests.signatories.helpers import confirm_path, links_in, minutes_pass, sign
from tests.support.mail import ScriptedBackend

pytestmark = pytest.mark.django_db
EMAIL = "amina@khrn.or.ke"


@pytest.fixture
def scripted_mail(settings, monkeypatch):
    """Sends fail as the test scripts them; retries run at once, in process, as they do on the
    embedded default (where job errors are not raised into the request)."""
    settings.EMAIL_BACKEND = "tests.support.mail.ScriptedBackend"
    settings.EMAIL_RETRY_BACKOFF = 0
    monkeypatch.setattr(ScriptedBackend, "failures", [])
    propagates = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield ScriptedBackend.failures
    celery_app.conf.task_eager_propagates = propagates


def pending_with_token(letter):
    signature = SignatureFactory(letter=letter)
    with committed():
        services.signature_resend_confirmation(signature=signature)
    token = mail.outbox[-1].body.split("/signatures/confirm/")[1].split("/")[0]
    signature.refresh_from_db()
    return signature, token


def test_a_redelivered_confirmation_job_sends_nothing_twice(letter):
    signature, token = pending_with_token(letter)
    sent = len(mail.outbox)

    send_confirmation_email.delay(signature.pk, token)

    assert len(mail.outbox) == sent


def test_a_job_for_a_replaced_link_sends_nothing(letter):
    signature, old_token = pending_with_token(letter)
    with committed():
        services.signature_resend_confirmation(signature=signature)
    sent = len(mail.outbox)

    Signature.objects.filter(pk=signature.pk).update(email_state="queued")
    send_confirmation_email.delay(signature.pk, old_token)

    assert len(mail.outbox) == sent


def test_a_slow_job_for_a_replaced_link_does_not_mark_the_new_email_sent(letter):
    signature, old_token = pending_with_token(letter)
    with TestCase.captureOnCommitCallbacks(execute=False) as queued:
        services.signature_resend_confirmation(signature=signature)
    # The old job finishes only now, after the new link was issued and its job queued.
    services.signature_email_sent(signature_id=signature.pk, kind="confirmation", token=old_token)
    signature.refresh_from_db()
    assert signature.email_state == "queued"

    for job in queued:
        job()

    signature.refresh_from_db()
    assert signature.email_state == "sent"
    assert links_in(mail.outbox[-1])["confirm"] != f"/signatures/confirm/{old_token}/"


def test_a_job_for_a_signature_that_moved_on_sends_nothing(client, letter):
    sign(client, letter)
    client.post(confirm_path(EMAIL))
    signature = Signature.objects.get()
    sent = len(mail.outbox)

    send_notice_email.delay(signature.pk, "approved")  # not approved: withdrawn or pending
    send_notice_email.delay(signature.pk + 1000, "approved")  # gone altogether

    assert len(mail.outbox) == sent


def test_a_transient_failure_is_retried_until_the_email_goes(client, letter, scripted_mail):
    scripted_mail += [
        smtplib.SMTPDataError(421, b"4.3.0 Try again later"),
        ConnectionRefusedError(111, "Connection refused"),
    ]

    sign(client, letter)

    signature = Signature.objects.get()
    assert len(mail.outbox) == 1
    assert (signature.email_state, signature.email_attempts) == ("sent", 3)
    assert signature.email_error == ""


def test_a_permanent_failure_is_recorded_and_not_retried(client, letter, scripted_mail):
    scripted_mail += [
        smtplib.SMTPRecipientsRefused({EMAIL: (550, b"5.1.1 Mailbox unavailable")}),
        AssertionError("a permanent failure must not be retried"),
    ]

    sign(client, letter)

    signature = Signature.objects.get()
    assert mail.outbox == []
    assert signature.email_state == "failed"
    assert signature.email_attempts == 1
    assert signature.email_error == "550 5.1.1 Mailbox unavailable"


def test_retries_stop_after_the_limit_and_the_failure_shows(
    client, letter, scripted_mail, settings
):
    settings.EMAIL_MAX_RETRIES = 2
    scripted_mail += [smtplib.SMTPServerDisconnected("gone")] * 3

    sign(client, letter)

    signature = Signature.objects.get()
    assert (signature.email_state, signature.email_attempts) == ("failed", 3)
    assert "SMTPServerDisconnected" in signature.email_error


@pytest.mark.parametrize(
    ("exc", "transient"),
    [
        (smtplib.SMTPDataError(421, b"busy"), True),
        (smtplib.SMTPSenderRefused(451, b"later", "x@y"), True),
        (smtplib.SMTPRecipientsRefused({"a@b": (450, b"greylisted")}), True),
        (smtplib.SMTPRecipientsRefused({"a@b": (550, b"no such user")}), False),
        (smtplib.SMTPDataError(554, b"rejected"), False),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), False),
        (smtplib.SMTPServerDisconnected("closed"), True),
        (ConnectionRefusedError(), True),
        (TimeoutError(), True),
        (ValueError("bug"), False),
    ],
)
def test_which_failures_are_worth_retrying(exc, transient):
    assert is_transient(exc) is transient
    assert describe(exc)


def test_the_sweep_requeues_emails_whose_job_was_lost(letter):
    lost = SignatureFactory(letter=letter, email_kind="confirmation", email_state="queued")
    fresh = SignatureFactory(letter=letter, email_kind="confirmation", email_state="queued")
    Signature.objects.filter(pk=lost.pk).update(
        email_updated_at=timezone.now() - timedelta(minutes=30)
    )

    with committed():
        assert services.signatures_requeue_stalled_emails() == 1

    assert [message.to for message in mail.outbox] == [[lost.contact_email]]
    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert lost.email_state == "sent" and fresh.email_state == "queued"


def test_the_sweep_requeues_a_retry_whose_job_was_lost(letter):
    waiting = SignatureFactory(letter=letter, email_kind="confirmation", email_state="queued")
    lost = SignatureFactory(letter=letter, email_kind="confirmation", email_state="queued")
    Signature.objects.update(email_attempts=2)
    Signature.objects.filter(pk=waiting.pk).update(
        email_updated_at=timezone.now() - timedelta(minutes=30)  # within its retry backoff
    )
    Signature.objects.filter(pk=lost.pk).update(
        email_updated_at=timezone.now() - timedelta(hours=2)  # longer than any backoff
    )

    with committed():
        assert services.signatures_requeue_stalled_emails() == 1

    assert [message.to for message in mail.outbox] == [[lost.contact_email]]


def test_logs_never_carry_the_contact_address(client, letter, scripted_mail, caplog):
    refused = f"<{EMAIL}> try again later".encode()
    scripted_mail += [smtplib.SMTPRecipientsRefused({EMAIL: (450, refused)})]

    with caplog.at_level("DEBUG"):
        sign(client, letter)  # deferred once, then delivered on the retry
        client.post(confirm_path(EMAIL))
        scripted_mail.append(smtplib.SMTPRecipientsRefused({EMAIL: (550, refused)}))
        minutes_pass()
        sign(client, letter)  # "already signed", refused for good

    assert "deferred (450)" in caplog.text  # the retry was logged, by its code
    assert "(550, attempt 1), giving up" in caplog.text
    assert EMAIL not in caplog.text
