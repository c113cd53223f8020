"""Every change to a signature: one transaction each, emails enqueued to go after commit."""

import logging
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from campaigns.counts import CountChange, counts_apply, publication_changed
from campaigns.models import Letter
from signatories import emails, tasks
from signatories.domains import canonical_email, domains_match, website_domain
from signatories.errors import LetterClosed, NotAwaitingReview, NotPending
from signatories.models import Signature
from signatories.tokens import confirmation_expiry, new_token, new_withdraw_key, token_hash

logger = logging.getLogger(__name__)

Status = Signature.Status
# The fields a signer gives us; a resubmission while pending replaces them.
SUBMITTED_FIELDS = [
    "organisation_name", "website", "country", "contact_name", "contact_role", "contact_email",
    "list_publicly", "authorised", "consent", "comment",
]  # fmt: skip
EMAIL_FIELDS = ["email_state", "email_kind", "email_attempts", "email_error", "email_updated_at"]
# An email queued this long ago and never tried was lost with its broker message; one that
# failed and waits to retry is lost once quiet for longer than the longest retry backoff.
STALLED_EMAIL_AFTER = timedelta(minutes=10)
MAX_RETRY_BACKOFF = timedelta(hours=1)  # below the broker's visibility timeout (settings)
STALLED_RETRY_AFTER = MAX_RETRY_BACKOFF + timedelta(minutes=10)
# Signing again with one address sends at most one email in this long: a double click, or
# someone typing another's address over and over, cannot flood an inbox or keep replacing
# the link in it.
RESUBMIT_EMAIL_INTERVAL = timedelta(minutes=2)


def ip_hash(ip: str) -> str:
    """A keyed hash of the submitter's address: lets organisers spot a flood from one source
    without our storing where anyone signed from."""
    return salted_hmac("signatories.ip", ip or "").hexdigest() if ip else ""


@transaction.atomic
def signature_submit(*, letter: Letter, data: dict, ip: str, language: str = "en") -> Signature:
    """Record a signature from the sign form and email its confirmation link.

    The same address signing the same letter again changes nothing visible: a pending
    signature gets a fresh link (the old one stops working); a confirmed one gets an
    "already signed" email. Raises LetterClosed when the letter takes no signatures.
    """
    if not letter.is_open:
        raise LetterClosed
    email = canonical_email(data["contact_email"])
    existing = _live_signature(letter, email)
    if existing is None:
        try:
            with transaction.atomic():  # a savepoint: a concurrent twin may insert first
                return _signature_create(letter=letter, data=data, ip=ip, language=language)
        except IntegrityError:
            existing = _live_signature(letter, email)
            if existing is None:
                raise
    return _signature_resubmit(existing, data=data, language=language)


def _live_signature(letter: Letter, email: str) -> Signature | None:
    signatures = Signature.objects.select_for_update().live()
    return signatures.filter(letter=letter, email_canonical=email).first()


def _signature_create(*, letter: Letter, data: dict, ip: str, language: str) -> Signature:
    signature = Signature(letter=letter, ip_hash=ip_hash(ip), withdraw_key=new_withdraw_key())
    _apply_submission(signature, data, language)
    token = _issue_confirmation_token(signature)
    signature.save()
    _queue_confirmation_email(signature, token)
    return signature


def _signature_resubmit(signature: Signature, *, data: dict, language: str) -> Signature:
    if signature.email_updated_at > timezone.now() - RESUBMIT_EMAIL_INTERVAL:
        return signature  # an email for this address just went out (or is on its way)
    if signature.status == Status.PENDING:
        # Only whoever reads this inbox can confirm, and the confirm page shows what they
        # confirm, so the latest details may replace earlier ones (a typo fixed, say).
        _apply_submission(signature, data, language)
        token = _issue_confirmation_token(signature)
        signature.save()
        _queue_confirmation_email(signature, token)
    else:
        _queue_notice(signature, emails.ALREADY_SIGNED)
    return signature


def _apply_submission(signature: Signature, data: dict, language: str) -> None:
    for field in SUBMITTED_FIELDS:
        setattr(signature, field, data.get(field, getattr(signature, field)))
    signature.email_canonical = canonical_email(signature.contact_email)
    signature.website_domain = website_domain(signature.website)
    signature.email_domain_matches = domains_match(
        email=signature.contact_email, website=signature.website
    )
    signature.language = language


def _issue_confirmation_token(signature: Signature) -> str:
    token, digest = new_token()
    signature.confirmation_token_hash = digest
    signature.confirmation_expires_at = confirmation_expiry()
    return token


@transaction.atomic
def signature_confirm(*, token: str) -> Signature:
    """Confirm the signature `token` was issued for; the link works once.

    The signature then awaits review, or is approved at once if the letter does not require
    approval. Raises InvalidToken, AlreadyConfirmed, ExpiredToken, or LetterClosed once the
    letter takes no more signatures (its published totals are final).
    """
    signature = Signature.objects.select_for_update().for_confirmation(token)
    if not signature.letter.is_open:
        raise LetterClosed(signature)
    now = timezone.now()
    signature.confirmed_at = now
    if signature.letter.requires_approval:
        signature.status = Status.VERIFIED
        notice = emails.CONFIRMED_FOR_REVIEW
    else:
        signature.status = Status.APPROVED
        signature.approved_at = now
        notice = emails.CONFIRMED_AND_PUBLISHED
        _count((signature, +1))
    signature.save(update_fields=["status", "confirmed_at", "approved_at"])
    _queue_notice(signature, notice)
    return signature


@transaction.atomic
def signature_withdraw(*, token: str) -> Signature:
    """Withdraw the signature a withdraw link was issued for: it leaves every count and list.

    Raises InvalidToken, AlreadyWithdrawn or NotWithdrawable.
    """
    signature = Signature.objects.select_for_update().for_withdrawal(token)
    return _withdraw(signature)


@transaction.atomic
def signature_withdraw_by_staff(*, signature: Signature, by: AbstractBaseUser) -> Signature:
    """An organiser withdraws a signature, at the signatory's request made some other way."""
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    signature.reviewed_by = by
    return _withdraw(signature, extra_fields=["reviewed_by"])


def _withdraw(signature: Signature, extra_fields: list[str] = ()) -> Signature:
    signature.check_withdrawable()
    if signature.status == Status.APPROVED:
        _count((signature, -1))
    signature.status = Status.WITHDRAWN
    signature.withdrawn_at = timezone.now()
    signature.save(update_fields=["status", "withdrawn_at", *extra_fields])
    _queue_notice(signature, emails.WITHDRAWN)
    return signature


@transaction.atomic
def signature_approve(*, signature: Signature, by: AbstractBaseUser) -> Signature:
    """Approve a confirmed signature: it is counted and, unless unnamed, published.

    Raises NotAwaitingReview for anything but a signature awaiting review.
    """
    return _review(signature, by=by, status=Status.APPROVED, notice=emails.APPROVED)


@transaction.atomic
def signature_reject(*, signature: Signature, by: AbstractBaseUser) -> Signature:
    """Reject a confirmed signature: it is never counted or shown.

    Raises NotAwaitingReview for anything but a signature awaiting review.
    """
    return _review(signature, by=by, status=Status.REJECTED, notice=emails.REJECTED)


def _review(signature: Signature, *, by, status: str, notice: str) -> Signature:
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    if signature.status != Status.VERIFIED:
        raise NotAwaitingReview(signature)
    stamp = "approved_at" if status == Status.APPROVED else "rejected_at"
    signature.status = status
    setattr(signature, stamp, timezone.now())
    signature.reviewed_by = by
    signature.save(update_fields=["status", stamp, "reviewed_by"])
    if status == Status.APPROVED:
        _count((signature, +1))
    _queue_notice(signature, notice)
    return signature


def _count(*moves: tuple[Signature, int]) -> None:
    """Count each (signature, +1) in, each (signature, -1) out, in one step."""
    changes = [
        CountChange(country=signature.country.code, unnamed=not signature.list_publicly, delta=d)
        for signature, d in moves
    ]
    counts_apply(letter_id=moves[0][0].letter_id, changes=changes)


# What the public sees of an approved signature: editing any of these changes a public page.
PUBLIC_FIELDS = {"organisation_name", "website", "country", "list_publicly", "initiator"}
# What moves a signature between count rows.
COUNTED_FIELDS = {"country", "list_publicly"}


@transaction.atomic
def signature_edit_by_staff(*, signature: Signature, changed: list[str]) -> Signature:
    """Save an organiser's corrections to the `changed` fields of `signature` (a typo in a
    name, the initiator mark, a wrong country) and keep the counts and public pages in step."""
    locked = Signature.objects.select_for_update().get(pk=signature.pk)
    before = Signature(letter_id=locked.letter_id, country=locked.country.code,
                       list_publicly=locked.list_publicly)  # fmt: skip
    # Apply the changes to the row as it is now, not as the form read it: another
    # organiser's edit in between must not be undone, nor the counts computed from it.
    for field in changed:
        setattr(locked, field, getattr(signature, field))
    if "website" in changed:
        locked.website_domain = website_domain(locked.website)
        locked.email_domain_matches = domains_match(
            email=locked.contact_email, website=locked.website
        )
        changed = [*changed, "website_domain", "email_domain_matches"]
    locked.save(update_fields=changed)
    if locked.status == Status.APPROVED:
        if COUNTED_FIELDS & set(changed):
            _count((before, -1), (locked, +1))
        elif PUBLIC_FIELDS & set(changed):
            publication_changed(locked.letter_id)
    return locked


@transaction.atomic
def signature_resend_confirmation(*, signature: Signature) -> Signature:
    """Email a fresh confirmation link (the previous one stops working).

    Raises NotPending once the signature is confirmed, rejected or withdrawn.
    """
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    if signature.status != Status.PENDING:
        raise NotPending(signature)
    token = _issue_confirmation_token(signature)
    signature.save(update_fields=["confirmation_token_hash", "confirmation_expires_at"])
    _queue_confirmation_email(signature, token)
    return signature


def signatures_requeue_stalled_emails() -> int:
    """Enqueue again every email whose job was lost with its broker message (Redis restarted,
    a worker died before acknowledging): queued and untouched for longer than any job waits.
    Returns how many."""
    requeued = 0
    for pk in _stalled_emails().values_list("pk", flat=True).iterator():
        with transaction.atomic():
            signature = _stalled_emails().select_for_update().filter(pk=pk).first()
            if signature is None:
                continue  # sent, failed or re-queued since the list was read
            if signature.email_kind == emails.CONFIRMATION:
                if signature.status != Status.PENDING:
                    continue
                # The raw token went with the lost message; only a new one can be sent.
                token = _issue_confirmation_token(signature)
                signature.save(update_fields=["confirmation_token_hash", "confirmation_expires_at"])
                _queue_confirmation_email(signature, token)
            else:
                _queue_notice(signature, signature.email_kind)
            requeued += 1
    if requeued:
        logger.warning("Re-queued %d emails whose background job was lost", requeued)
    return requeued


def _stalled_emails():
    now = timezone.now()
    queued = Signature.objects.filter(email_state=Signature.EmailState.QUEUED)
    never_tried = Q(email_attempts=0, email_updated_at__lt=now - STALLED_EMAIL_AFTER)
    # A job waiting to retry is quiet for up to its longest backoff; past that, it is gone.
    retry_lost = Q(email_attempts__gt=0, email_updated_at__lt=now - STALLED_RETRY_AFTER)
    return queued.filter(never_tried | retry_lost)


# Email bookkeeping: the signature row records what became of its last email.


def _mark_email_queued(signature: Signature, kind: str) -> None:
    signature.email_state = Signature.EmailState.QUEUED
    signature.email_kind = kind
    signature.email_attempts = 0
    signature.email_error = ""
    signature.email_updated_at = timezone.now()
    signature.save(update_fields=EMAIL_FIELDS)


def _queue_confirmation_email(signature: Signature, token: str) -> None:
    _mark_email_queued(signature, emails.CONFIRMATION)
    tasks.send_confirmation_email.delay_on_commit(signature.pk, token)


def _queue_notice(signature: Signature, kind: str) -> None:
    _mark_email_queued(signature, kind)
    tasks.send_notice_email.delay_on_commit(signature.pk, kind)


def signature_email_sent(*, signature_id: int, kind: str, token: str = "") -> None:
    """Record that the email of this kind (with this confirmation token) left us."""
    _record_attempt(signature_id, kind, token, state=Signature.EmailState.SENT, error="")


def signature_email_failed(
    *, signature_id: int, kind: str, token: str = "", error: str, final: bool
) -> None:
    """Record a failed attempt; `final` when no retry will follow, so admin shows it failed."""
    state = Signature.EmailState.FAILED if final else Signature.EmailState.QUEUED
    _record_attempt(signature_id, kind, token, state=state, error=error[:500])


def _record_attempt(signature_id: int, kind: str, token: str, *, state: str, error: str) -> None:
    # Only while the email is still the latest of its kind: for a confirmation, the link it
    # carried must still be the current one, or a slow job for a replaced link would mark the
    # newer email as sent, and that one would never go.
    current = Signature.objects.filter(pk=signature_id, email_kind=kind)
    if token:
        current = current.filter(confirmation_token_hash=token_hash(token))
    current.update(
        email_state=state,
        email_error=error,
        email_attempts=F("email_attempts") + 1,
        email_updated_at=timezone.now(),
    )
