"""Email jobs: thin, idempotent, retried only when the failure may pass.

Each takes an id and re-reads the signature, so a job that arrives late, twice, or after the
signature moved on sends nothing it should not.
"""

import logging
import smtplib

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings

from signatories import emails, services
from signatories.models import Signature

logger = logging.getLogger(__name__)


class EmailDeferred(Exception):
    """What a retry records: the SMTP code only, since the server's words may quote the
    address, and Celery logs the reason for every retry."""


def is_transient(exc: BaseException) -> bool:
    """SMTP 4xx replies and network trouble may pass; 5xx replies and anything else will not."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, smtplib.SMTPServerDisconnected | OSError)


def describe(exc: BaseException) -> str:
    """The failure as organisers see it in admin."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, message = next(iter(exc.recipients.values()))
        return f"{code} {message.decode(errors='replace')}"
    if isinstance(exc, smtplib.SMTPResponseException):
        message = exc.smtp_error
        if isinstance(message, bytes):
            message = message.decode(errors="replace")
        return f"{exc.smtp_code} {message}"
    return f"{type(exc).__name__}: {exc}"


def log_code(exc: BaseException) -> str:
    """The failure as the log sees it: a server's reply text may quote the address, so only
    the code goes to the log."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return str(next(iter(exc.recipients.values()))[0])
    if isinstance(exc, smtplib.SMTPResponseException):
        return str(exc.smtp_code)
    return type(exc).__name__


@shared_task(bind=True)
def send_confirmation_email(self, signature_id: int, token: str) -> None:
    signature = Signature.objects.select_related("letter").filter(pk=signature_id).first()
    if signature is None or not emails.confirmation_needed(signature, token):
        return  # confirmed, replaced by a newer link, or already sent: nothing to do
    send = lambda: emails.send_confirmation(signature, token)  # noqa: E731
    _deliver(self, signature, emails.CONFIRMATION, send, token=token)


@shared_task(bind=True)
def send_notice_email(self, signature_id: int, kind: str) -> None:
    signature = Signature.objects.select_related("letter").filter(pk=signature_id).first()
    if signature is None or not emails.notice_needed(signature, kind):
        return
    _deliver(self, signature, kind, lambda: emails.send_notice(signature, kind))


@shared_task
def requeue_stalled_emails() -> int:
    """Run by celery beat: the sweep that makes the signature row a reliable outbox."""
    return services.signatures_requeue_stalled_emails()


def _deliver(task, signature: Signature, kind: str, send, token: str = "") -> None:
    """Send, and record on the signature what happened; retry what may pass."""
    try:
        send()
    except Exception as exc:
        transient = is_transient(exc)
        final = not transient or task.request.retries >= settings.EMAIL_MAX_RETRIES
        services.signature_email_failed(
            signature_id=signature.pk, kind=kind, token=token, error=describe(exc), final=final
        )
        logger.warning(
            "Signature %s: %s email failed (%s, attempt %d)%s",
            signature.pk,
            kind,
            log_code(exc),
            task.request.retries + 1,
            "" if not final else ", giving up",
        )
        if final:
            return
        countdown = get_exponential_backoff_interval(
            factor=settings.EMAIL_RETRY_BACKOFF,
            retries=task.request.retries,
            maximum=int(services.MAX_RETRY_BACKOFF.total_seconds()),
            full_jitter=True,
        )
        deferred = EmailDeferred(f"{kind} email deferred ({log_code(exc)})")
        raise task.retry(exc=deferred, countdown=countdown, max_retries=None) from None
    services.signature_email_sent(signature_id=signature.pk, kind=kind, token=token)
    logger.info("Signature %s: %s email sent", signature.pk, kind)
