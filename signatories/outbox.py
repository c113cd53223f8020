"""The signature row as an outbox: an email is queued on the row, sent by a job, and what became
of it is recorded on the row; a sweep queues again whatever a lost job left behind.

All of the policy lives here: what failure may pass, how long to wait before trying again, when
to give up, when a job counts as lost. The Celery tasks (tasks.py) are one-line calls into
`deliver` and `sweep`; the services call `queue`.

Each queueing gets a job id, carried by the job and stored on the row. A job sends only while
its id is the row's and the row is due, and it takes a lease on the row while it sends, so a
job that was replaced, redelivered by the broker or re-queued by the sweep sends nothing.
Delivery is at least once: a worker killed after the SMTP server took the message but before
the row says so sends it again once the lease has run out.
"""

import logging
import secrets
import smtplib
import ssl
import time
from datetime import timedelta
from functools import partial

from celery import current_app
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone

from signatories import emails, local_sender
from signatories.models import Signature
from signatories.tokens import confirmation_expiry, new_token

logger = logging.getLogger(__name__)

# The job, looked up by name when queued: tasks.py calls into this module, not the other way.
SEND_TASK = "signatories.tasks.send_signature_email"
EMAIL_FIELDS = [
    "email_state", "email_kind", "email_attempts", "email_error", "email_updated_at",
    "email_job", "email_due_at",
]  # fmt: skip
State = Signature.EmailState

# Retries wait about EMAIL_RETRY_BACKOFF, 2x, 4x … seconds (with jitter), never longer than
# this; it must stay below the broker's visibility timeout (settings), or a waiting retry would
# be delivered twice.
MAX_RETRY_BACKOFF = timedelta(hours=1)
# A queued email this long past its due time was lost with its job (Redis restarted, a worker
# died): the sweep queues it again (EMAIL_LOST_AFTER_SECONDS).


def lost_after() -> timedelta:
    return timedelta(seconds=settings.EMAIL_LOST_AFTER_SECONDS)


def lease() -> timedelta:
    """How long a job may take to send before its email counts as lost: longer than any SMTP
    exchange under EMAIL_TIMEOUT (EMAIL_LEASE_SECONDS)."""
    if settings.EMAIL_LEASE_SECONDS:
        return timedelta(seconds=settings.EMAIL_LEASE_SECONDS)
    return max(timedelta(seconds=60), 6 * timedelta(seconds=settings.EMAIL_TIMEOUT))


# A job arriving this early still counts as due: clocks and timers differ a little.
DUE_TOLERANCE = timedelta(seconds=5)
# What a failure is recorded as when the fault is in our own mail set-up, not in one message.
CONFIGURATION_PROBLEM = "Configuration problem: "


def queue(signature: Signature, kind: str, *, token: str = "") -> None:
    """Make `kind` the signature's next email, to be sent once the transaction commits.

    Replaces any email still queued for the signature (its job will find itself replaced).
    A confirmation carries its `token`, which exists nowhere else in clear.
    """
    _stamp(signature, kind)
    signature.save(update_fields=EMAIL_FIELDS)
    transaction.on_commit(partial(_dispatch, signature.pk, signature.email_job, token))


def queue_unsaved(signature: Signature, kind: str) -> None:
    """`queue` for a row not inserted yet (thousands at once, an import): the email's state
    goes in with the INSERT, not an UPDATE per row. Once the rows are inserted, pass them to
    `dispatch_queued`."""
    _stamp(signature, kind)


def dispatch_queued(signatures: list[Signature]) -> None:
    """Hand the emails of rows queued with `queue_unsaved`, now inserted, to the sender once
    the transaction commits."""
    jobs = [(signature.pk, signature.email_job) for signature in signatures]

    def dispatch_all():
        for signature_id, job in jobs:
            _dispatch(signature_id, job, "")

    transaction.on_commit(dispatch_all)


def _stamp(signature: Signature, kind: str) -> None:
    now = timezone.now()
    signature.email_state = State.QUEUED
    signature.email_kind = kind
    signature.email_attempts = 0
    signature.email_error = ""
    signature.email_updated_at = now
    signature.email_job = secrets.token_hex(8)
    signature.email_due_at = now


def _dispatch(signature_id: int, job: str, token: str, countdown: float | None = None) -> None:
    """Hand the job to whatever sends emails here, never waiting on it: a thread of this
    process on the embedded default, the Celery broker otherwise."""
    global _broker_down_until
    if settings.EMAIL_JOBS == "thread":
        local_sender.sender.submit(signature_id, job, token, countdown)
        return
    if time.monotonic() >= _broker_down_until:
        try:
            task = current_app.tasks[SEND_TASK]
            task.apply_async((signature_id, job, token), countdown=countdown)
            return
        except Exception as error:  # the broker is down or slow: the email waits in its row
            logger.warning(
                "signature=%s email job not queued: broker unavailable (%s); the sweep sends "
                "it once the broker is back",
                signature_id,
                type(error).__name__,
            )
            # One request waits for the broker's connection timeout; the next ones, for a
            # while, do not try at all.
            _broker_down_until = time.monotonic() + BROKER_RETRY_AFTER
    # Due long enough ago that the next sweep takes it at once.
    Signature.objects.filter(pk=signature_id, email_job=job).update(
        email_due_at=timezone.now() - lost_after() - timedelta(seconds=1)
    )


# After a failed publish, how long requests skip the broker (their emails wait for the sweep).
BROKER_RETRY_AFTER = 15.0
_broker_down_until = 0.0


def deliver(*, signature_id: int, job: str, token: str = "") -> None:
    """Send the email queued on the signature under `job`, if it is still that job's to send,
    and record what happened; schedule a retry for a failure that may pass."""
    now = timezone.now()
    claimed = Signature.objects.filter(
        pk=signature_id,
        email_job=job,
        email_state=State.QUEUED,
        email_due_at__lte=now + DUE_TOLERANCE,
    ).update(email_due_at=now + lease())
    if not claimed:
        return  # replaced, re-queued, already sent or being sent, or the signature is gone
    signature = Signature.objects.select_related("letter").get(pk=signature_id)
    if signature.email_job != job:
        return  # replaced between the claim and the read: the new job sends the new email
    kind = signature.email_kind
    if not emails.still_needed(signature, kind, token):
        _record(signature_id, job, state=State.CANCELLED)
        logger.info(
            "signature=%s letter=%s email=%s outcome=cancelled (no longer needed)",
            signature_id,
            signature.letter_id,
            kind,
        )
        return
    try:
        emails.send(signature, kind, token=token)
    except Exception as exc:
        _failed(signature, job, token, exc)
        return
    _record(signature_id, job, state=State.SENT)
    logger.info(
        "signature=%s letter=%s email=%s outcome=sent attempt=%d",
        signature_id,
        signature.letter_id,
        kind,
        signature.email_attempts + 1,
    )


def _failed(signature: Signature, job: str, token: str, exc: Exception) -> None:
    attempt = signature.email_attempts + 1
    final = not is_transient(exc) or attempt > settings.EMAIL_MAX_RETRIES
    error = describe(exc)
    if final:
        _record(signature.pk, job, state=State.FAILED, error=error)
    else:
        delay = retry_delay(attempt)
        due = timezone.now() + timedelta(seconds=delay)
        _record(signature.pk, job, state=State.QUEUED, error=error, due_at=due)
    log = logger.error if is_configuration_problem(exc) else logger.warning
    if not is_configuration_problem(exc) or _first_time(error):
        log(
            "signature=%s letter=%s email=%s outcome=%s code=%s attempt=%d%s",
            signature.pk,
            signature.letter_id,
            signature.email_kind,
            "failed" if final else "deferred",
            log_code(exc),
            attempt,
            "" if final else f" retry_in={delay}s",
        )
    if not final:
        transaction.on_commit(partial(_dispatch, signature.pk, job, token, countdown=delay))


def retry_delay(attempt: int) -> int:
    """Seconds to wait before trying again after failed attempt number `attempt` (from 1)."""
    return get_exponential_backoff_interval(
        factor=settings.EMAIL_RETRY_BACKOFF,
        retries=attempt - 1,
        maximum=int(MAX_RETRY_BACKOFF.total_seconds()),
        full_jitter=True,
    )


_logged_configuration_problems: set[str] = set()


def _first_time(error: str) -> bool:
    """A wrong mail set-up fails every email the same way: the log says so once per process
    (each signature still records it, and the admin shows it)."""
    if error in _logged_configuration_problems:
        return False
    _logged_configuration_problems.add(error)
    return True


def _record(signature_id: int, job: str, *, state: str, error: str = "", due_at=None) -> None:
    # Only while the row still holds this job: a slow job for a replaced email must not mark
    # the newer email as sent, or that one would never go.
    Signature.objects.filter(pk=signature_id, email_job=job).update(
        email_state=state,
        email_error=error[:500],
        email_attempts=F("email_attempts") + 1 if state != State.CANCELLED else F("email_attempts"),
        email_updated_at=timezone.now(),
        email_due_at=due_at,
    )


def sweep() -> int:
    """Queue again every email whose job was lost: still queued, and well past its due time.

    The attempts made so far are kept, so an email that keeps failing still ends as failed;
    failed and sent emails are never touched. Two sweeps at once (cron and beat, or two
    hosts) skip each other's rows, so no email is queued twice. Returns how many.
    """
    requeued = 0
    for pk in _lost().values_list("pk", flat=True).iterator():
        with transaction.atomic(durable=True):
            signature = _lost().select_for_update(skip_locked=True).filter(pk=pk).first()
            if signature is None:
                continue  # sent, failed, re-queued, or in another sweep's hands since
            _requeue(signature)
            requeued += 1
    if requeued:
        logger.warning("Re-queued %d emails whose background job was lost", requeued)
    cache.set(LAST_SWEEP_KEY, timezone.now().isoformat(), None)
    return requeued


LAST_SWEEP_KEY = "outbox:last-sweep"


def health() -> dict:
    """For /healthz: how long the oldest email still to send has waited, and when the sweep
    last ran."""
    oldest = (
        Signature.objects.filter(email_state=State.QUEUED)
        .exclude(email_job="")
        .aggregate(oldest=Min("email_updated_at"))["oldest"]
    )
    waited = int((timezone.now() - oldest).total_seconds()) if oldest else 0
    return {"oldest_unsent_email_seconds": waited, "last_sweep": cache.get(LAST_SWEEP_KEY)}


def _lost():
    cutoff = timezone.now() - lost_after()
    queued = Signature.objects.filter(email_state=State.QUEUED, email_due_at__lt=cutoff)
    return queued.exclude(email_job="")  # rows written outside the outbox were never queued


def _requeue(signature: Signature) -> None:
    token = ""
    fields = ["email_job", "email_due_at"]
    if signature.email_kind == emails.CONFIRMATION:
        if signature.status != Signature.Status.PENDING:
            signature.email_state = State.CANCELLED
            signature.save(update_fields=["email_state"])
            return
        # The raw token went with the lost job; only a new one can be sent.
        token, signature.confirmation_token_hash = new_token()
        signature.confirmation_expires_at = confirmation_expiry()
        fields += ["confirmation_token_hash", "confirmation_expires_at"]
    signature.email_job = secrets.token_hex(8)
    signature.email_due_at = timezone.now()
    signature.save(update_fields=fields)
    transaction.on_commit(partial(_dispatch, signature.pk, signature.email_job, token))


# What a failure means -----------------------------------------------------------------------

# Replies that mean our set-up, not the message: 530 authentication (or STARTTLS) required,
# 534 mechanism too weak, 535 credentials refused, 538 encryption required for that login.
SETUP_REPLY_CODES = frozenset({530, 534, 535, 538})
# The connection closed or reset under us: worth another try.
_PASSING_SSL_ERRORS = (ssl.SSLEOFError, ssl.SSLZeroReturnError)


def is_configuration_problem(exc: BaseException) -> bool:
    """Failures that every email will meet until someone fixes the mail settings: the server
    offers no STARTTLS or no usable login, refuses our login, or its certificate fails."""
    if isinstance(exc, smtplib.SMTPAuthenticationError | smtplib.SMTPNotSupportedError):
        return True
    if isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code in SETUP_REPLY_CODES:
        return True
    if isinstance(exc, ssl.SSLError) and not isinstance(exc, _PASSING_SSL_ERRORS):
        return True
    # smtplib raises the bare class for "No suitable authentication method found" and for
    # "STARTTLS extension not supported by server" (older Pythons).
    return type(exc) is smtplib.SMTPException


def is_transient(exc: BaseException) -> bool:
    """SMTP 4xx replies and network trouble may pass; 5xx replies, a wrong mail set-up and
    anything else will not."""
    if is_configuration_problem(exc):
        return False
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, smtplib.SMTPServerDisconnected | OSError)


def describe(exc: BaseException) -> str:
    """The failure as organisers see it in admin."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, message = next(iter(exc.recipients.values()))
        text = f"{code} {message.decode(errors='replace')}"
    elif isinstance(exc, smtplib.SMTPResponseException):
        message = exc.smtp_error
        if isinstance(message, bytes):
            message = message.decode(errors="replace")
        text = f"{exc.smtp_code} {message}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return CONFIGURATION_PROBLEM + text if is_configuration_problem(exc) else text


def log_code(exc: BaseException) -> str:
    """The failure as the log sees it: a server's reply text may quote the address, so only
    the code (or the kind of error) goes to the log."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return str(next(iter(exc.recipients.values()))[0])
    if isinstance(exc, smtplib.SMTPResponseException):
        return str(exc.smtp_code)
    return type(exc).__name__
