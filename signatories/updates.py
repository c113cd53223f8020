"""Updates to a letter's signatories: written by its organisers (the admin, or
`manage.py send_update`), sent to every approved signature of the letter, each in its signer's
language and with its own withdraw link.

Sending. `update_send` fixes the recipients: in the transaction that moves the update to
"sending" it makes one delivery row per approved signature (an approval after that is not
included). Jobs then take the rows a chunk at a time (CHUNK rows, by primary key), claim them
(state "sending", `attempts` + 1, a lease until `due_at`), and send them over one SMTP
connection. A job that finds rows of its chunk waiting for a retry queues the chunk again for
when they are due; the sweep queues again whatever a lost job left behind.

Exactly once. A row is marked "sent" in its own committed statement, and only while the job
still holds it (state "sending" and the attempt it claimed), so two jobs never both send a row.
Over SMTP the mark is written in the middle of the exchange: MAIL, RCPT, DATA and the whole
message are sent, then "sent" is committed, and only then the final "." that completes the
message. A job killed before the commit leaves the server an unfinished DATA, which it
discards when the connection drops (an SMTP server must not deliver a message whose end it
never saw), so sending the row again is right. A job killed after the dot was written has
delivered it: the kernel flushes the socket of a killed process. The one gap left is a kill
between the commit and the write of the dot, a few microseconds: that recipient gets nothing
(the row says sent). A refusal of the dot (4xx, 5xx) moves the row back to pending (retry
after the outbox's backoff) or to failed. A lost connection after the dot was written leaves
the row "sent" with a note, as the server may well have taken it: at most once, never twice.

Other backends (console, locmem, file) have no such step: the row is marked, then sent.
"""

import contextlib
import logging
import re
import smtplib
import socket
import threading
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from celery import current_app
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address
from django.db import close_old_connections, connection, transaction
from django.db.models import Count, F, Min, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from campaigns.markdown import render_markdown
from campaigns.models import Letter
from signatories import emails, outbox
from signatories.models import Signature, Update, UpdateDelivery

logger = logging.getLogger(__name__)

UPDATE = "update"  # the email's kind: templates/signatories/email/update.*
CHUNK = 200  # recipients per job, sent over one SMTP connection
SEND_TASK = "signatories.tasks.send_update_chunk"
State = UpdateDelivery.State
# What a row records when its signature is no longer approved when its turn comes.
NOT_SENT_WITHDRAWN = "Not sent: the signature was withdrawn"
NOT_SENT_NOT_APPROVED = "Not sent: the signature is no longer approved"
# Whatever looks like an address in a server's reply: errors are shown without it.
ADDRESS = re.compile(r"[^\s<>@\"']+@[^\s<>@\"']+")


class NotADraft(Exception):
    """The update was sent already (or is being sent): it can no longer change or go again."""


# Writing and reading ---------------------------------------------------------------------------


def recipients(letter: Letter) -> QuerySet[Signature]:
    """Who an update of `letter` goes to: every approved signature, named or not."""
    return Signature.objects.counted().filter(letter=letter)


@transaction.atomic(durable=True)
def update_create(*, letter: Letter, subject: str, body: str, by: AbstractBaseUser) -> Update:
    """Save a draft update of `letter` (subject, Markdown body), written by `by`."""
    update = Update(letter=letter, subject=subject, body=body, created_by=by)
    update.full_clean(exclude=["letter", "created_by"])
    update.save()
    logger.info("update=%s letter=%s drafted", update.pk, letter.pk)
    return update


@transaction.atomic(durable=True)
def update_edit(*, update: Update, subject: str, body: str) -> Update:
    """Change a draft's subject and body. Raises NotADraft once sending has started."""
    update = Update.objects.select_for_update().get(pk=update.pk)
    if update.status != Update.Status.DRAFT:
        raise NotADraft
    update.subject, update.body = subject, body
    update.full_clean(exclude=["letter", "created_by"])
    update.save(update_fields=["subject", "body"])
    return update


def update_message(
    update: Update, signature: Signature, *, body_html: str | None = None
) -> EmailMultiAlternatives:
    """The email of `update` to `signature`'s contact, as it will be sent: in the signer's
    language, the Markdown rendered (sanitised) for the HTML part and as written for the text
    part, with the signature's own withdraw link. `body_html`: the body already rendered."""
    if body_html is None:
        body_html = render_markdown(update.body)
    return emails.message(signature, UPDATE, update=update, body_html=body_html)


def example_signature(update: Update, *, email: str) -> Signature:
    """A signature that is nobody's (never saved), to show an update as a signer gets it; its
    withdraw link leads to the page for an unknown link."""
    return Signature(
        letter=update.letter,
        organisation_name=str(_("Example organisation")),
        contact_name=str(_("Example contact")),
        contact_email=email,
        country="",
        status=Signature.Status.APPROVED,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        withdraw_key="example",
    )


@dataclass
class Preview:
    subject: str
    text: str
    html: str
    reply_to: list[str]


def update_preview(*, update: Update, email: str = "signatory@example.org") -> Preview:
    """The update as a signer will read it (in the current language)."""
    message = update_message(update, example_signature(update, email=email))
    html = next(content for content, mimetype in message.alternatives if mimetype == "text/html")
    return Preview(subject=message.subject, text=message.body, html=html, reply_to=message.reply_to)


def update_send_test(*, update: Update, to: str) -> None:
    """Send the update to `to` (the organiser), now, as a signer would get it; no delivery is
    recorded. SMTP errors reach the caller."""
    update_message(update, example_signature(update, email=to)).send()
    logger.info("update=%s test sent", update.pk)


def with_progress(updates: QuerySet[Update]) -> QuerySet[Update]:
    """`updates`, each with its `total`, `sent`, `failed` and `remaining` deliveries."""
    return updates.annotate(
        total=Count("deliveries"),
        sent=Count("deliveries", filter=Q(deliveries__state=State.SENT)),
        failed=Count("deliveries", filter=Q(deliveries__state=State.FAILED)),
        remaining=Count(
            "deliveries", filter=Q(deliveries__state__in=[State.PENDING, State.SENDING])
        ),
    )


# Sending ----------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def update_send(*, update: Update, by: AbstractBaseUser) -> int:
    """Start sending a draft update to the letter's approved signatures, as they are now.

    Returns how many recipients it has. Raises NotADraft if it was sent already.
    """
    update = Update.objects.select_for_update().get(pk=update.pk)
    if update.status != Update.Status.DRAFT:
        raise NotADraft
    now = timezone.now()
    signature_ids = list(recipients(update.letter).order_by("pk").values_list("pk", flat=True))
    UpdateDelivery.objects.bulk_create(
        [UpdateDelivery(update=update, signature_id=pk, due_at=now) for pk in signature_ids],
        batch_size=2000,
    )
    update.status = Update.Status.SENDING if signature_ids else Update.Status.SENT
    update.sent_by, update.sent_at = by, now
    update.finished_at = None if signature_ids else now
    update.save(update_fields=["status", "sent_by", "sent_at", "finished_at"])
    logger.info(
        "update=%s letter=%s sending to %d recipients",
        update.pk,
        update.letter_id,
        len(signature_ids),
    )
    transaction.on_commit(partial(_dispatch_pending, update.pk))
    return len(signature_ids)


def _dispatch_pending(update_id: int) -> int:
    """Queue a job for each CHUNK of the update's rows still to send; returns how many."""
    ids = list(
        UpdateDelivery.objects.filter(update_id=update_id, state=State.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    chunks = [ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK)]
    for chunk in chunks:
        _dispatch(update_id, chunk[0], chunk[-1])
    return len(chunks)


def _dispatch(update_id: int, first_id: int, last_id: int, countdown: float | None = None) -> None:
    """Hand a chunk to whatever sends emails here: a thread of this process on the embedded
    default, the Celery broker otherwise. A chunk that cannot be queued waits in its rows for
    the sweep."""
    if settings.EMAIL_JOBS == "thread":
        local_jobs.submit(update_id, first_id, last_id, countdown)
        return
    try:
        current_app.tasks[SEND_TASK].apply_async(
            (update_id, first_id, last_id), countdown=countdown
        )
    except Exception as error:  # the broker is down: the sweep queues it once it is back
        logger.warning(
            "update=%s chunk %s-%s not queued: broker unavailable (%s)",
            update_id,
            first_id,
            last_id,
            type(error).__name__,
        )


def deliver_chunk(*, update_id: int, first_id: int, last_id: int) -> int:
    """Send the update to the recipients of rows first_id..last_id that are due, over one
    connection, recording each; returns how many were sent."""
    lease_until = timezone.now() + outbox.lease()
    claimed = _claim(update_id, first_id, last_id, lease_until)
    if not claimed:
        _finish_if_done(update_id)
        return 0
    deliveries = list(
        UpdateDelivery.objects.filter(pk__in=claimed)
        .select_related("update", "signature__letter")
        .order_by("pk")
    )
    mail = get_connection()
    body_html = render_markdown(deliveries[0].update.body)  # one body for the whole chunk
    sent = 0
    try:
        for position, delivery in enumerate(deliveries):
            if timezone.now() > lease_until - outbox.lease() / 2:
                lease_until = _renew(deliveries[position:], lease_until)
            try:
                mail.open()
            except Exception as exc:  # nobody in this chunk can be sent now
                for waiting in deliveries[position:]:
                    _failed(waiting, claimed[waiting.pk], exc, states=[State.SENDING])
                break
            sent += _deliver(mail, delivery, claimed[delivery.pk], body_html)
    finally:
        with contextlib.suppress(Exception):  # the server went away: nothing more to say
            mail.close()
    _finish_if_done(update_id)
    _requeue_waiting(update_id, first_id, last_id)
    return sent


def _claim(update_id: int, first_id: int, last_id: int, lease_until) -> dict[int, int]:
    """Take the chunk's due rows for this job: {row id: the attempt it claimed}."""
    with transaction.atomic(durable=True):
        due = UpdateDelivery.objects.filter(
            update_id=update_id,
            pk__gte=first_id,
            pk__lte=last_id,
            state=State.PENDING,
            due_at__lte=timezone.now() + outbox.DUE_TOLERANCE,
        )
        rows = dict(due.select_for_update(skip_locked=True).values_list("pk", "attempts"))
        UpdateDelivery.objects.filter(pk__in=list(rows)).update(
            state=State.SENDING, attempts=F("attempts") + 1, due_at=lease_until
        )
    return {pk: attempts + 1 for pk, attempts in rows.items()}


def _renew(deliveries: list[UpdateDelivery], lease_until):
    """Extend the lease of the rows this job still holds (a long chunk over a slow server)."""
    renewed = timezone.now() + outbox.lease()
    UpdateDelivery.objects.filter(
        pk__in=[delivery.pk for delivery in deliveries], state=State.SENDING, due_at=lease_until
    ).update(due_at=renewed)
    return renewed


def _deliver(mail, delivery: UpdateDelivery, attempt: int, body_html: str) -> int:
    """Send one row's email, unless its signature is no longer approved; 1 if it was sent."""
    signature = delivery.signature
    if signature.status != Signature.Status.APPROVED:
        error = (
            NOT_SENT_WITHDRAWN
            if signature.status == Signature.Status.WITHDRAWN
            else NOT_SENT_NOT_APPROVED
        )
        _record(delivery.pk, attempt, [State.SENDING], state=State.FAILED, error=error)
        return 0
    message = update_message(delivery.update, signature, body_html=body_html)
    mark_sent = partial(_mark_sent, delivery.pk, attempt)
    try:
        if isinstance(mail, SmtpBackend):
            delivered = _send_over_smtp(mail, message, mark_sent)
        else:
            delivered = mark_sent()
            if delivered:
                mail.send_messages([message])
    except Exception as exc:
        _failed(delivery, attempt, exc, states=[State.SENDING, State.SENT])
        if isinstance(exc, OSError | smtplib.SMTPServerDisconnected):
            _drop(mail)  # the next recipient gets a new connection
        return 0
    if delivered:
        logger.info(
            "update=%s delivery=%s outcome=sent attempt=%d",
            delivery.update_id,
            delivery.pk,
            attempt,
        )
    return int(bool(delivered))


def _mark_sent(delivery_id: int, attempt: int) -> bool:
    """Commit "sent" for the row, if this job still holds it (a job whose lease ran out and
    was replaced must not send)."""
    return bool(
        UpdateDelivery.objects.filter(pk=delivery_id, state=State.SENDING, attempts=attempt).update(
            state=State.SENT, sent_at=timezone.now(), error=""
        )
    )


class ReplyLost(Exception):
    """The message was complete on the wire but the server's answer never came."""


def _send_over_smtp(mail: SmtpBackend, message: EmailMultiAlternatives, mark_sent) -> bool:
    """Send `message` over the open connection, committing "sent" (mark_sent) between the
    message's content and the "." that ends it (see the module's docstring). Returns False,
    having sent nothing, if the row is no longer this job's."""
    smtp = mail.connection
    encoding = message.encoding or settings.DEFAULT_CHARSET
    sender = sanitize_address(message.from_email, encoding)
    addresses = [sanitize_address(address, encoding) for address in message.recipients()]
    content = message.message().as_bytes(linesep="\r\n")
    smtp.ehlo_or_helo_if_needed()
    options = [f"size={len(content)}"] if smtp.does_esmtp and smtp.has_extn("size") else []
    code, reply = smtp.mail(sender, options)
    if code != 250:
        _reset(smtp)
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    for address in addresses:
        code, reply = smtp.rcpt(address)
        if code not in (250, 251):
            _reset(smtp)
            raise smtplib.SMTPRecipientsRefused({address: (code, reply)})
    code, reply = smtp.docmd("data")
    if code != 354:
        _reset(smtp)
        raise smtplib.SMTPDataError(code, reply)
    # What smtplib's data() sends, without its last line: dots that start a line doubled.
    body = re.sub(rb"(?m)^\.", b"..", content)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    # The dot goes as a small write right after the body, with no reply between them: without
    # TCP_NODELAY, Nagle's algorithm holds it until the server's delayed ACK (40 ms a message).
    smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    smtp.send(body)
    try:
        marked = mark_sent()
    except Exception:
        _drop(mail)  # the message never ends: the server discards it
        raise
    if not marked:
        _drop(mail)
        return False
    smtp.send(b".\r\n")
    try:
        code, reply = smtp.getreply()
    except smtplib.SMTPServerDisconnected as exc:
        raise ReplyLost from exc
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)
    return True


def _reset(smtp) -> None:
    with contextlib.suppress(smtplib.SMTPServerDisconnected):
        smtp.rset()


def _drop(mail) -> None:
    """Close the connection without a QUIT (which, inside DATA, would be message text)."""
    smtp = getattr(mail, "connection", None)
    if smtp is not None:
        smtp.close()
        mail.connection = None


def _failed(delivery: UpdateDelivery, attempt: int, exc: Exception, *, states) -> None:
    if isinstance(exc, ReplyLost):
        # The whole message went; whether the server kept it is unknown. Sending it again could
        # make a duplicate: the row stays "sent", with a note for the organisers.
        UpdateDelivery.objects.filter(pk=delivery.pk, attempts=attempt, state=State.SENT).update(
            error="Sent; the server's confirmation did not arrive"
        )
        return
    final = not outbox.is_transient(exc) or attempt > settings.EMAIL_MAX_RETRIES
    error = describe_failure(exc)
    delay = 0 if final else outbox.retry_delay(attempt)
    if final:
        _record(delivery.pk, attempt, states, state=State.FAILED, error=error)
    else:
        due = timezone.now() + timedelta(seconds=delay)
        _record(delivery.pk, attempt, states, state=State.PENDING, error=error, due_at=due)
    logger.warning(
        "update=%s delivery=%s outcome=%s code=%s attempt=%d%s",
        delivery.update_id,
        delivery.pk,
        "failed" if final else "deferred",
        outbox.log_code(exc),
        attempt,
        "" if final else f" retry_in={delay}s",
    )


def describe_failure(exc: BaseException) -> str:
    """A failure as organisers see it, without the address a server's reply may quote."""
    return ADDRESS.sub("<address>", outbox.describe(exc))


def _record(delivery_id: int, attempt: int, states, *, state: str, error: str, due_at=None):
    # Only while the row is still this job's attempt: never over a newer job's outcome.
    UpdateDelivery.objects.filter(pk=delivery_id, attempts=attempt, state__in=states).update(
        state=state, error=error[:500], due_at=due_at, sent_at=None
    )


def _requeue_waiting(update_id: int, first_id: int, last_id: int) -> None:
    """Queue the chunk again for when its rows waiting for a retry are due."""
    next_due = UpdateDelivery.objects.filter(
        update_id=update_id, pk__gte=first_id, pk__lte=last_id, state=State.PENDING
    ).aggregate(next_due=Min("due_at"))["next_due"]
    if next_due is not None:
        countdown = max(0.0, (next_due - timezone.now()).total_seconds())
        _dispatch(update_id, first_id, last_id, countdown=countdown)


def _finish_if_done(update_id: int) -> bool:
    """Mark the update sent once no row is left to send."""
    if UpdateDelivery.objects.filter(
        update_id=update_id, state__in=[State.PENDING, State.SENDING]
    ).exists():
        return False
    finished = Update.objects.filter(pk=update_id, status=Update.Status.SENDING).update(
        status=Update.Status.SENT, finished_at=timezone.now()
    )
    if finished:
        logger.info("update=%s finished", update_id)
    return True


def sweep() -> int:
    """Queue again the chunks whose job was lost: rows whose lease ran out go back to pending
    (their message never ended: see the module's docstring), and rows left pending well past
    their due time are queued anew. Returns how many chunks were queued."""
    now = timezone.now()
    lost_due = now - outbox.lost_after() - timedelta(seconds=1)
    UpdateDelivery.objects.filter(state=State.SENDING, due_at__lt=now).update(
        state=State.PENDING, due_at=lost_due
    )
    queued = 0
    for update_id in Update.objects.filter(status=Update.Status.SENDING).values_list(
        "pk", flat=True
    ):
        if _finish_if_done(update_id):
            continue
        lost = UpdateDelivery.objects.filter(
            update_id=update_id, state=State.PENDING, due_at__lt=now - outbox.lost_after()
        )
        if lost.update(due_at=now):  # due now: queued once, not again by the next sweep
            queued += _dispatch_pending(update_id)
    if queued:
        logger.warning("Re-queued %d chunks of updates whose job was lost", queued)
    return queued


# The embedded default ---------------------------------------------------------------------------


class LocalJobs:
    """Chunks sent by threads of this process (EMAIL_JOBS=thread, no Celery worker), one chunk
    at a time; retries wait on a timer. Chunks cut short by a restart wait in their rows for
    the sweep, which the update's admin page runs on this set-up."""

    def __init__(self):
        self._one_at_a_time = threading.Lock()
        self._threads: list[threading.Thread] = []

    def submit(self, update_id: int, first_id: int, last_id: int, countdown: float | None) -> None:
        timer = threading.Timer(countdown or 0, self._run, (update_id, first_id, last_id))
        timer.daemon = True
        self._threads = [thread for thread in self._threads if thread.is_alive()]
        self._threads.append(timer)
        timer.start()

    def _run(self, update_id: int, first_id: int, last_id: int) -> None:
        with self._one_at_a_time:
            try:
                deliver_chunk(update_id=update_id, first_id=first_id, last_id=last_id)
            except Exception:  # a bug, or the database away: the sweep takes the chunk later
                logger.exception("Sending update %s in the background failed", update_id)
            finally:
                close_old_connections()
                connection.close()

    def wait(self, timeout: float) -> bool:
        """Wait until the chunks due within `timeout` are sent (for a command that exits
        after queueing them). Says whether they were."""
        deadline = timezone.now() + timedelta(seconds=timeout)
        while timezone.now() < deadline:
            running = [thread for thread in self._threads if thread.is_alive()]
            if not running:
                return True
            running[0].join(timeout=max(0.0, (deadline - timezone.now()).total_seconds()))
        return not any(thread.is_alive() for thread in self._threads)


local_jobs = LocalJobs()
