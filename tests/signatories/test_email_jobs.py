"""The outbox, run in process: which job may send, what a failure leaves on the signature, how
long retries go on, and the sweep."""

import smtplib
import ssl
from datetime import timedelta

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from config.celery import app as celery_app
from signatories import outbox, services
from signatories.models import Signature
from signatories.outbox import describe, is_transient
from signatories.tasks import send_signature_email
from tests.conftest import committed
from tests.factories import SignatureFactory
from tests.signatories.helpers import confirm_path, links_in, minutes_pass, sign
from tests.support.mail import ScriptedBackend

pytestmark = pytest.mark.django_db
EMAIL = "amina@khrn.or.ke"


@pytest.fixture
def scripted_mail(settings, monkeypatch):
    """Sends fail as the test scripts them; retries run at once, in process (eager tasks),
    and a job's failure is not raised into the request."""
    settings.EMAIL_BACKEND = "tests.support.mail.ScriptedBackend"
    settings.EMAIL_RETRY_BACKOFF = 0
    monkeypatch.setattr(ScriptedBackend, "failures", [])
    propagates = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield ScriptedBackend.failures
    celery_app.conf.task_eager_propagates = propagates


def pending_with_token(letter, admin_user):
    signature = SignatureFactory(letter=letter)
    with committed():
        services.signature_resend_confirmation(signature=signature, by=admin_user)
    token = mail.outbox[-1].body.split("/signatures/confirm/")[1].split("/")[0]
    signature.refresh_from_db()
    return signature, token


def test_a_redelivered_job_sends_nothing_twice(letter, admin_user):
    signature, token = pending_with_token(letter, admin_user)
    sent = len(mail.outbox)

    send_signature_email.delay(signature.pk, signature.email_job, token)

    assert len(mail.outbox) == sent


def test_a_job_for_a_replaced_email_sends_nothing(letter, admin_user):
    signature, old_token = pending_with_token(letter, admin_user)
    old_job = signature.email_job
    with TestCase.captureOnCommitCallbacks(execute=False):
        services.signature_resend_confirmation(signature=signature, by=admin_user)
    sent = len(mail.outbox)

    send_signature_email.delay(signature.pk, old_job, old_token)

    assert len(mail.outbox) == sent
    signature.refresh_from_db()
    assert signature.email_state == "queued"  # the new email's state, untouched


def test_a_slow_job_for_a_replaced_email_does_not_mark_the_new_one_sent(letter, admin_user):
    signature, old_token = pending_with_token(letter, admin_user)
    old_job = signature.email_job
    with TestCase.captureOnCommitCallbacks(execute=False) as queued:
        services.signature_resend_confirmation(signature=signature, by=admin_user)
    # The old job records its outcome only now, after the new link was issued.
    outbox._record(signature.pk, old_job, state="sent")
    signature.refresh_from_db()
    assert signature.email_state == "queued"

    for job in queued:
        job()

    signature.refresh_from_db()
    assert signature.email_state == "sent"
    assert links_in(mail.outbox[-1])["confirm"] != f"/signatures/confirm/{old_token}/"


def test_a_job_replaced_between_its_claim_and_its_read_sends_nothing(letter, monkeypatch):
    from signatories import emails

    signature = SignatureFactory(letter=letter, status="approved", confirmed_at=timezone.now())
    with TestCase.captureOnCommitCallbacks(execute=False) as first_job:
        outbox.queue(signature, emails.CONFIRMED_AND_PUBLISHED)
    second_job = []
    real_select_related = Signature.objects.select_related

    def replaced_right_after_the_claim(*fields):
        # Another step queues a new email for the row between the old job's claim (an
        # UPDATE) and its read of the row (this query).
        if not second_job:
            with TestCase.captureOnCommitCallbacks(execute=False) as queued:
                outbox.queue(Signature.objects.get(pk=signature.pk), emails.ALREADY_SIGNED)
            second_job.extend(queued)
        return real_select_related(*fields)

    monkeypatch.setattr(Signature.objects, "select_related", replaced_right_after_the_claim)
    for job in first_job:
        job()  # the old job: claimed before it was replaced
    for job in second_job:
        job()  # the job of the email that replaced it

    assert [message.subject.split(":")[0] for message in mail.outbox] == ["You have already signed"]


def test_a_job_for_a_signature_that_moved_on_sends_nothing(client, letter):
    sign(client, letter)
    client.post(confirm_path(EMAIL))
    signature = Signature.objects.get()
    sent = len(mail.outbox)

    send_signature_email.delay(signature.pk, "not-its-job")
    send_signature_email.delay(signature.pk + 1000, signature.email_job)  # gone altogether

    assert len(mail.outbox) == sent


def test_an_email_no_longer_needed_is_cancelled_not_sent(letter, admin_user):
    signature = SignatureFactory(letter=letter, status="verified")
    with TestCase.captureOnCommitCallbacks(execute=False) as queued:
        services.signature_approve(signature=signature, by=admin_user)
    Signature.objects.filter(pk=signature.pk).update(status="withdrawn")  # before the job ran

    for job in queued:
        job()

    assert mail.outbox == []
    signature.refresh_from_db()
    assert signature.email_state == "cancelled"


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


@pytest.mark.parametrize("limit", [4, 5, 8])
def test_retries_stop_at_email_max_retries_and_the_failure_shows(
    client, letter, scripted_mail, settings, limit
):
    # Celery's own default limit is 3: a limit above it shows that ours is the one that counts.
    settings.EMAIL_MAX_RETRIES = limit
    scripted_mail += [smtplib.SMTPServerDisconnected("gone")] * (limit + 1)
    scripted_mail.append(AssertionError("no attempt after the last retry"))

    sign(client, letter)

    signature = Signature.objects.get()
    assert (signature.email_state, signature.email_attempts) == ("failed", limit + 1)
    assert "SMTPServerDisconnected" in signature.email_error
    assert len(scripted_mail) == 1  # the extra failure was never reached


def test_a_wrong_mail_setup_fails_at_once_is_logged_once_and_shown_to_organisers(
    client, admin_client, letter, scripted_mail, caplog, monkeypatch
):
    monkeypatch.setattr(outbox, "_logged_configuration_problems", set())
    starttls = smtplib.SMTPNotSupportedError("STARTTLS extension not supported by server.")
    scripted_mail += [starttls, starttls]

    with caplog.at_level("WARNING"):
        sign(client, letter)
        sign(client, letter, contact_email="other@khrn.or.ke")

    assert list(Signature.objects.values_list("email_state", "email_attempts")) == [
        ("failed", 1),
        ("failed", 1),
    ]
    failures = [r for r in caplog.records if "outcome=failed" in r.getMessage()]
    assert len(failures) == 1 and failures[0].levelname == "ERROR"
    page = admin_client.get("/admin/signatories/signature/").text
    assert "Emails cannot be sent because of the site&#x27;s mail settings" in page
    assert "STARTTLS extension not supported" in page


@pytest.mark.parametrize(
    ("exc", "transient", "described"),
    [
        (smtplib.SMTPDataError(421, b"busy"), True, "421 busy"),
        (smtplib.SMTPSenderRefused(451, b"later", "x@y"), True, "451 later"),
        (smtplib.SMTPRecipientsRefused({"a@b": (450, b"greylisted")}), True, "450 greylisted"),
        (smtplib.SMTPRecipientsRefused({"a@b": (550, b"no such user")}), False, "550 no such user"),
        (smtplib.SMTPDataError(554, b"rejected"), False, "554 rejected"),
        (smtplib.SMTPServerDisconnected("closed"), True, "SMTPServerDisconnected: closed"),
        (
            ConnectionRefusedError(111, "refused"),
            True,
            "ConnectionRefusedError: [Errno 111] refused",
        ),
        (TimeoutError("timed out"), True, "TimeoutError: timed out"),
        (ssl.SSLEOFError(8, "EOF occurred"), True, "SSLEOFError: EOF occurred"),
        (ValueError("bug"), False, "ValueError: bug"),
        # A wrong mail set-up: the same for every email, so never worth a retry.
        (
            smtplib.SMTPAuthenticationError(535, b"bad credentials"),
            False,
            "Configuration problem: 535 bad credentials",
        ),
        (
            smtplib.SMTPSenderRefused(530, b"5.7.0 Authentication Required", "n@l"),
            False,
            "Configuration problem: 530 5.7.0 Authentication Required",
        ),
        (
            smtplib.SMTPSenderRefused(530, b"5.7.0 Must issue a STARTTLS command first", "n@l"),
            False,
            "Configuration problem: 530 5.7.0 Must issue a STARTTLS command first",
        ),
        (
            smtplib.SMTPNotSupportedError("STARTTLS extension not supported by server."),
            False,
            "Configuration problem: SMTPNotSupportedError: STARTTLS extension not supported by "
            "server.",
        ),
        (
            smtplib.SMTPException("No suitable authentication method found."),
            False,
            "Configuration problem: SMTPException: No suitable authentication method found.",
        ),
        (
            ssl.SSLCertVerificationError(1, "certificate verify failed"),
            False,
            "Configuration problem: SSLCertVerificationError: certificate verify failed",
        ),
    ],
)
def test_which_failures_are_worth_retrying_and_how_organisers_read_them(exc, transient, described):
    assert is_transient(exc) is transient
    assert describe(exc) == described


def age_email(signature, **delta) -> None:
    """Make the signature's email one queued by a job that has been due for this long."""
    Signature.objects.filter(pk=signature.pk).update(
        email_due_at=timezone.now() - timedelta(**delta), email_job="a-lost-job"
    )


def test_the_sweep_requeues_an_email_whose_job_was_lost_with_a_new_link(letter, admin_user):
    lost, old_token = pending_with_token(letter, admin_user)
    Signature.objects.filter(pk=lost.pk).update(email_state="queued")
    fresh = SignatureFactory(letter=letter, email_kind="confirmation", email_state="queued")
    age_email(lost, minutes=30)
    Signature.objects.filter(pk=fresh.pk).update(email_due_at=timezone.now())
    sent = len(mail.outbox)

    with committed():
        assert outbox.sweep() == 1

    assert [message.to for message in mail.outbox[sent:]] == [[lost.contact_email]]
    assert links_in(mail.outbox[-1])["confirm"] != f"/signatures/confirm/{old_token}/"
    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert lost.email_state == "sent" and fresh.email_state == "queued"


def test_the_sweep_leaves_a_retry_waiting_for_its_time(letter):
    waiting = SignatureFactory(letter=letter, email_kind="approved", email_state="queued")
    Signature.objects.filter(pk=waiting.pk).update(
        email_attempts=3, email_due_at=timezone.now() + timedelta(minutes=20), email_job="its-job"
    )

    with committed():
        assert outbox.sweep() == 0


def test_the_sweep_keeps_the_attempts_so_a_failing_email_still_ends_failed(
    letter, scripted_mail, settings
):
    settings.EMAIL_MAX_RETRIES = 4
    signature = SignatureFactory(letter=letter, status="approved", email_kind="approved")
    Signature.objects.filter(pk=signature.pk).update(email_state="queued", email_attempts=4)
    age_email(signature, hours=2)  # its last retry was lost with the worker
    scripted_mail += [smtplib.SMTPServerDisconnected("gone"), AssertionError("one more")]

    with committed():
        assert outbox.sweep() == 1

    signature.refresh_from_db()
    assert (signature.email_state, signature.email_attempts) == ("failed", 5)
    with committed():
        assert outbox.sweep() == 0  # a final failure stays failed


def test_the_sweep_never_touches_sent_or_failed_emails_or_rows_never_queued(letter):
    for state in ("sent", "failed", "cancelled"):
        signature = SignatureFactory(letter=letter, email_kind="approved", email_state=state)
        age_email(signature, days=2)
    never_queued = SignatureFactory(letter=letter, email_state="queued", email_kind="")
    Signature.objects.filter(pk=never_queued.pk).update(
        email_due_at=timezone.now() - timedelta(days=2)
    )

    with committed():
        assert outbox.sweep() == 0


def test_sweep_emails_is_a_command_too(letter, admin_user):
    from django.core.management import call_command

    lost = SignatureFactory(letter=letter, status="approved", email_kind="approved")
    Signature.objects.filter(pk=lost.pk).update(email_state="queued")
    age_email(lost, minutes=30)

    with committed():
        call_command("sweep_emails")

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

    assert "outcome=deferred code=450 attempt=1 retry_in=" in caplog.text  # by its code
    assert "outcome=failed code=550 attempt=1" in caplog.text
    assert "email=confirmation outcome=sent attempt=2" in caplog.text
    assert "event=confirmed from=pending to=verified by=signer" in caplog.text
    assert EMAIL not in caplog.text
