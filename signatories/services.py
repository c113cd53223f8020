"""Every change to a signature. Each service is one durable transaction (a caller's transaction
around it is a bug, and fails loudly), writes the signature's trail in that transaction, keeps
the counts in step, and queues its email to go after commit (signatories.outbox).

Locks are taken in one order everywhere: the inbox row, then signature rows (by primary key),
then count rows (by country), then the letter row; so no two transactions wait in a circle.
"""

import logging
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from campaigns.models import Letter
from signatories import emails, limits, outbox
from signatories.counts import CountChange, counts_apply, public_country, publication_changed
from signatories.domains import (
    address_kind,
    canonical_email,
    domains_match,
    email_domain,
    is_lookalike_domain,
    website_domain,
)
from signatories.errors import (
    AlreadyConfirmed,
    LetterClosed,
    LetterDelivered,
    NotAwaitingReview,
    NotPending,
    SigningPaused,
    StaleEdit,
)
from signatories.models import (
    PUBLIC_FIELDS,
    SUBMITTED_FIELDS,
    Inbox,
    Signature,
    SignatureEvent,
)
from signatories.text import clean_text, name_for_matching
from signatories.tokens import confirmation_expiry, new_token, new_withdraw_key
from signatories.vetting import name_key

logger = logging.getLogger(__name__)

Status = Signature.Status
Actor = SignatureEvent.Actor
Event = SignatureEvent.Kind
# Signing again with one address sends at most one email in this long: a double click, or
# someone typing another's address over and over, cannot flood an inbox.
RESUBMIT_EMAIL_INTERVAL = timedelta(minutes=2)
# What moves a signature between count rows, and what changes a public page when edited.
COUNTED_FIELDS = {"country", "list_publicly", "hide_country"}
SHOWN_FIELDS = set(PUBLIC_FIELDS) | COUNTED_FIELDS


def inbox_key(email: str) -> str:
    return salted_hmac("signatories.inbox", canonical_email(email)).hexdigest()


# Signing ---------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def signature_submit(
    *, letter: Letter, data: dict, ip: str, language: str = "en"
) -> Signature | None:
    """Record a submission from the sign form and email its confirmation link.

    Each submission keeps its own details and link, and a link confirms exactly the details
    submitted with it: someone who types another's address can neither change what that
    address submitted nor kill its link. Once one is confirmed, it is the signature of that
    address, and signing again only brings an "already signed" email. Returns the signature
    emailed about, or None when nothing was sent and nothing saved (a repeat within
    RESUBMIT_EMAIL_INTERVAL, an email to the signature still on its way, or the mailbox has
    had its SIGN_EMAILS_PER_INBOX_PER_DAY: that cap, not a count of waiting submissions, bounds
    them, so nobody can lock an address out for longer than a day). Raises LetterClosed when
    the letter takes no signatures, and SigningPaused (nothing saved) once the site has sent
    SIGN_EMAILS_PER_HOUR this hour.
    """
    if not letter.is_open:
        raise LetterClosed
    email = canonical_email(data["contact_email"])
    inbox, _ = Inbox.objects.select_for_update().get_or_create(key=inbox_key(email))
    signatures = _address_signatures(letter.pk, email)
    recently = timezone.now() - RESUBMIT_EMAIL_INTERVAL
    if any(signature.email_updated_at > recently for signature in signatures):
        return None  # an email for this address just went out (or is on its way)
    confirmed = next((s for s in signatures if s.status != Status.PENDING), None)
    if confirmed is not None and confirmed.email_state == Signature.EmailState.QUEUED:
        return None  # its own email (approved, say) is still on its way: never replace it
    # However many letters are open, one mailbox gets only a few emails a day from the form.
    if not inbox.take_email(limit=settings.SIGN_EMAILS_PER_INBOX_PER_DAY):
        return None
    retry_after = limits.take_sign_email()  # and the site only so many an hour
    if retry_after is not None:
        raise SigningPaused(retry_after)
    inbox.save(update_fields=["day", "emails_on_day"])
    if confirmed is not None:
        outbox.queue(confirmed, emails.ALREADY_SIGNED)
        return confirmed
    signature = Signature(
        letter=letter,
        ip_hash=limits.ip_hash(ip),
        network_hash=limits.network_hash(ip),
        withdraw_key=new_withdraw_key(),
    )
    for field in SUBMITTED_FIELDS:
        setattr(signature, field, data.get(field, getattr(signature, field)))
    _derive_from_addresses(signature)
    signature.language = language
    signature.text_version = letter.text_version or None
    token = _issue_confirmation_token(signature)
    signature.save()
    _trail(signature, Event.SUBMITTED, before=Status.PENDING, actor_kind=Actor.SIGNER)
    outbox.queue(signature, emails.CONFIRMATION, token=token)
    return signature


def _exposes(signature: Signature, changes: dict, changed: list[str]) -> bool:
    """Whether an organiser's change shows anything new of a published signature: anything
    public but asking not to be named or keeping the country private."""
    hiding = {
        "list_publicly": lambda value: not value,
        "hide_country": lambda value: bool(value),
    }
    return any(
        field in SHOWN_FIELDS and not (field in hiding and hiding[field](changes[field]))
        for field in changed
    )


def _delivered(letter_id: int) -> bool:
    """Read afresh in the caller's transaction: a delivery committed a moment ago counts."""
    return Letter.objects.filter(pk=letter_id, delivered_at__isnull=False).exists()


def _refuse_if_delivered(signature: Signature | None = None, *, letter_id: int | None = None):
    """After counting: a delivered letter takes no more. Counting wrote the letter's row
    (counts_apply bumps its published_version), so this transaction now holds the row lock
    that letter_deliver takes: either the delivery committed before, and this read sees it
    (the whole change is rolled back), or it waits for this one to commit and counts it in."""
    letter_id = letter_id if signature is None else signature.letter_id
    if _delivered(letter_id):
        raise LetterDelivered(signature)


def _address_signatures(letter_id: int, email: str) -> list[Signature]:
    """The live signatures of one address on one letter, locked, in primary-key order."""
    signatures = Signature.objects.select_for_update().live()
    return list(signatures.filter(letter_id=letter_id, email_canonical=email).order_by("pk"))


DERIVED_FIELDS = [
    "email_canonical", "name_normalised", "website_domain", "lookalike_domain",
    "email_domain_matches", "email_domain", "address_kind", "name_key",
]  # fmt: skip


def _derive_from_addresses(signature: Signature) -> None:
    """What organisers vet by, worked out from what the signer typed."""
    signature.email_canonical = canonical_email(signature.contact_email)
    signature.name_normalised = name_for_matching(signature.organisation_name)[:200]
    signature.name_key = name_key(signature.organisation_name)
    signature.website_domain = website_domain(signature.website)
    signature.email_domain = email_domain(signature.contact_email)
    signature.address_kind = address_kind(signature.contact_email)
    signature.lookalike_domain = is_lookalike_domain(
        signature.website_domain
    ) or is_lookalike_domain(email_domain(signature.contact_email))
    signature.email_domain_matches = domains_match(
        email=signature.contact_email, website=signature.website
    )


def _issue_confirmation_token(signature: Signature) -> str:
    token, digest = new_token()
    signature.confirmation_token_hash = digest
    signature.confirmation_expires_at = confirmation_expiry()
    return token


@transaction.atomic(durable=True)
def signature_confirm(*, token: str) -> Signature:
    """Confirm the submission `token` was issued for; the link works once.

    The signature then awaits review, or is approved at once if the letter does not require
    approval. The address's other submissions on the letter, never confirmed, are discarded.
    A letter that has closed since still takes the confirmation: the signature was submitted
    while it was open (README, "Closing"). Raises InvalidToken, AlreadyConfirmed or
    ExpiredToken.
    """
    found = Signature.objects.for_confirmation(token)
    # Lock every submission of this address on the letter before looking again, so that two
    # of its links confirmed at the same moment cannot both win.
    others = _address_signatures(found.letter_id, found.email_canonical)
    signature = Signature.objects.for_confirmation(token)  # as it stands now that it is locked
    if any(other.status != Status.PENDING for other in others):
        raise AlreadyConfirmed(signature)
    discarded = [other.pk for other in others if other.pk != signature.pk]
    Signature.objects.filter(pk__in=discarded).delete()
    now = timezone.now()
    signature.confirmed_at = now
    # A delivered letter's list is frozen: the confirmation is kept, but counts no more.
    if signature.letter.requires_approval or signature.letter.is_delivered:
        signature.status = Status.VERIFIED
        notice = emails.CONFIRMED_FOR_REVIEW
    else:
        signature.status = Status.APPROVED
        signature.approved_at = now
        notice = emails.CONFIRMED_AND_PUBLISHED
        _count((signature, +1))
        _refuse_if_delivered(signature)
    _save(signature, "status", "confirmed_at", "approved_at")
    note = f"{len(discarded)} other unconfirmed submissions for this address discarded"
    _trail(
        signature,
        Event.CONFIRMED,
        before=Status.PENDING,
        actor_kind=Actor.SIGNER,
        note=note if discarded else "",
    )
    outbox.queue(signature, notice)
    return signature


# Importing: signatures the organisers gathered outside the form (signatories.importing reads
# and checks the file; this writes it).

# What an imported row may set: the sign form's fields but the declarations (the organisers
# hold the organisation's consent), plus the initiator mark.
IMPORTED_FIELDS = [
    "organisation_name", "website", "country", "contact_name", "contact_role", "contact_email",
    "list_publicly", "hide_country", "initiator", "comment",
]  # fmt: skip


@transaction.atomic(durable=True)
def signatures_import(
    *, letter: Letter, rows: list[dict], by: AbstractBaseUser | None, approve: bool
) -> list[Signature]:
    """Record signatures the organisers gathered themselves, all in one transaction.

    `rows` hold IMPORTED_FIELDS, already checked (signatories.importing.check). No email
    confirmation is asked for: each signature is confirmed now, awaiting review, or approved
    (and counted at once) with `approve`. Each contact is emailed that they are listed, with
    their withdraw link. Any letter, draft, open or closed, takes them: the list is the
    organisers', until it is delivered (LetterDelivered). Raises IntegrityError, and writes
    nothing, if one of the addresses has signed the letter since the rows were checked.
    """
    if _delivered(letter.pk):
        raise LetterDelivered
    now = timezone.now()
    status = Status.APPROVED if approve else Status.VERIFIED
    signatures = []
    for data in rows:
        signature = Signature(
            letter=letter,
            status=status,
            source=Signature.Source.IMPORT,
            imported_by=by,
            authorised=True,
            consent=True,
            created_at=now,
            confirmed_at=now,
            approved_at=now if approve else None,
            reviewed_by=by if approve else None,
            withdraw_key=new_withdraw_key(),
        )
        for field in IMPORTED_FIELDS:
            if field in data:
                setattr(signature, field, data[field])
        _derive_from_addresses(signature)
        outbox.queue_unsaved(signature, emails.IMPORTED)
        signatures.append(signature)
    if not signatures:
        return []
    # A few queries for the lot, not a few per row: imports run to thousands.
    Signature.objects.bulk_create(signatures, batch_size=500)
    SignatureEvent.objects.bulk_create(
        [
            SignatureEvent(
                signature=signature,
                at=now,
                kind=Event.IMPORTED,
                actor_kind=Actor.ORGANISER,
                actor=by,
                actor_name=by.get_username() if by is not None else "",
                before=status,
                after=status,
            )
            for signature in signatures
        ],
        batch_size=500,
    )
    if approve:
        stored = Letter.objects.only("hide_unnamed_countries").get(pk=letter.pk)
        tally = Counter(
            (public_country(signature, stored), not signature.list_publicly)
            for signature in signatures
        )
        changes = [
            CountChange(country=country, unnamed=unnamed, delta=count)
            for (country, unnamed), count in tally.items()
        ]
        counts_apply(letter_id=letter.pk, changes=changes)
        _refuse_if_delivered(letter_id=letter.pk)
    logger.info(
        "letter=%s event=imported signatures=%d to=%s by=organiser",
        letter.pk,
        len(signatures),
        status,
    )
    outbox.dispatch_queued(signatures)
    return signatures


# Withdrawing -----------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def signature_withdraw(*, token: str) -> Signature:
    """Withdraw the signature a withdraw link was issued for: it leaves every count and list.

    Raises InvalidToken, AlreadyWithdrawn or NotWithdrawable.
    """
    signature = Signature.objects.select_for_update().for_withdrawal(token)
    return _withdraw(signature, actor_kind=Actor.SIGNER)


@transaction.atomic(durable=True)
def signature_withdraw_by_staff(*, signature: Signature, by: AbstractBaseUser) -> Signature:
    """An organiser withdraws a signature, at the signatory's request made some other way.
    Who approved it stays on record; the trail says who withdrew it."""
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    return _withdraw(signature, actor_kind=Actor.ORGANISER, by=by)


def _withdraw(signature: Signature, *, actor_kind: str, by=None) -> Signature:
    signature.check_withdrawable()
    before = signature.status
    if before == Status.APPROVED:
        _count((signature, -1))
    signature.status = Status.WITHDRAWN
    signature.withdrawn_at = timezone.now()
    _save(signature, "status", "withdrawn_at")
    _trail(signature, Event.WITHDRAWN, before=before, actor_kind=actor_kind, by=by)
    outbox.queue(signature, emails.WITHDRAWN)
    return signature


# Reviewing -------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def signature_approve(*, signature: Signature, by: AbstractBaseUser) -> Signature:
    """Approve a confirmed signature: it is counted and, unless unnamed, published.

    Organisers may review until the letter is delivered, closed or not. Raises
    NotAwaitingReview for anything but a signature awaiting review.
    """
    return _review(signature, by=by, status=Status.APPROVED, notice=emails.APPROVED)


@transaction.atomic(durable=True)
def signature_reject(*, signature: Signature, by: AbstractBaseUser, reason: str = "") -> Signature:
    """Reject a confirmed signature: it is never counted or shown. The organiser's `reason`,
    if any, is kept, told to the signer in the rejection email and written in the trail.

    Raises NotAwaitingReview for anything but a signature awaiting review.
    """
    reason = clean_text(reason, multiline=True)[:500]
    return _review(signature, by=by, status=Status.REJECTED, notice=emails.REJECTED, reason=reason)


def _review(
    signature: Signature, *, by: AbstractBaseUser, status: str, notice: str, reason: str = ""
) -> Signature:
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    if signature.status != Status.VERIFIED:
        raise NotAwaitingReview(signature)
    stamp = "approved_at" if status == Status.APPROVED else "rejected_at"
    signature.status = status
    setattr(signature, stamp, timezone.now())
    signature.reviewed_by = by
    signature.rejection_reason = reason
    _save(signature, "status", stamp, "reviewed_by", "rejection_reason")
    if status == Status.APPROVED:
        _count((signature, +1))
        _refuse_if_delivered(signature)
    _trail(
        signature, status, before=Status.VERIFIED, actor_kind=Actor.ORGANISER, by=by, note=reason
    )
    outbox.queue(signature, notice)
    return signature


# Organisers' corrections -------------------------------------------------------------------


@transaction.atomic(durable=True)
def signature_edit_by_staff(
    *, signature: Signature, changes: dict, revision: int, by: AbstractBaseUser
) -> Signature:
    """Save an organiser's corrections (`changes`: field -> new value): a typo in a name, the
    initiator mark, a wrong country, or a mistyped contact address while the link is still
    awaited, which sends a fresh link to the corrected address (the old one stops working).

    `revision` is the signature's revision when the organiser's form was opened: if anyone
    changed it since, StaleEdit is raised and nothing is written. Counts and public pages
    follow the change.
    """
    locked = Signature.objects.select_for_update().get(pk=signature.pk)
    if locked.revision != revision:
        raise StaleEdit(locked)
    changed = [field for field, value in changes.items() if getattr(locked, field) != value]
    if not changed:
        return locked
    if "contact_email" in changed and locked.status != Status.PENDING:
        raise NotPending(locked)  # a confirmed address is the one that was verified
    exposes = locked.status == Status.APPROVED and _exposes(locked, changes, changed)
    if exposes and _delivered(locked.letter_id):
        raise LetterDelivered(locked)  # the delivered list: it may only show less
    before = Signature(
        letter_id=locked.letter_id,
        country=locked.country.code,
        list_publicly=locked.list_publicly,
        hide_country=locked.hide_country,
    )
    for field in changed:
        setattr(locked, field, changes[field])
    _derive_from_addresses(locked)
    fields = [*changed, *DERIVED_FIELDS]
    token = ""
    if "contact_email" in changed:
        token = _issue_confirmation_token(locked)
        fields += ["confirmation_token_hash", "confirmation_expires_at"]
    _save(locked, *fields)
    if locked.status == Status.APPROVED:
        if COUNTED_FIELDS & set(changed):
            _count((before, -1), (locked, +1))
        elif SHOWN_FIELDS & set(changed):
            publication_changed(locked.letter_id)
    kind = Event.EMAIL_CORRECTED if token else Event.EDITED
    note = "changed: " + ", ".join(sorted(changed))
    _trail(locked, kind, before=locked.status, actor_kind=Actor.ORGANISER, by=by, note=note)
    if token:
        outbox.queue(locked, emails.CONFIRMATION, token=token)
    return locked


@transaction.atomic(durable=True)
def signature_resend_confirmation(*, signature: Signature, by: AbstractBaseUser) -> Signature:
    """Email a fresh confirmation link (the previous one stops working).

    Raises NotPending once the signature is confirmed, rejected or withdrawn.
    """
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    if signature.status != Status.PENDING:
        raise NotPending(signature)
    token = _issue_confirmation_token(signature)
    _save(signature, "confirmation_token_hash", "confirmation_expires_at")
    _trail(signature, Event.LINK_RESENT, before=Status.PENDING, actor_kind=Actor.ORGANISER, by=by)
    outbox.queue(signature, emails.CONFIRMATION, token=token)
    return signature


@transaction.atomic(durable=True)
def signature_discard(*, signature: Signature, by: AbstractBaseUser) -> Signature:
    """Delete a submission nobody confirmed (a flood, say): it was never counted or shown, and
    its link stops working. Raises NotPending for a confirmed signature (withdraw or reject
    those instead)."""
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    if signature.status != Status.PENDING:
        raise NotPending(signature)
    pk = signature.pk
    signature.delete()
    signature.pk = pk  # as it was, for the record of what was deleted
    return signature


@transaction.atomic(durable=True)
def signature_erase(*, signature: Signature, by: AbstractBaseUser) -> Signature:
    """Erase a signature and everything held about it, at the signatory's request: it leaves
    the counts and the list at once, and its trail goes with it (the admin's history keeps
    that it was erased, by whom). Returned with its primary key, for that record."""
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    if signature.status == Status.APPROVED:
        _count((signature, -1))
    pk = signature.pk
    signature.delete()
    signature.pk = pk
    return signature


# Shared steps ----------------------------------------------------------------------------------


def _save(signature: Signature, *fields: str) -> None:
    """Save a change, bumping the revision: an organiser's form opened before it is stale."""
    signature.revision += 1
    signature.save(update_fields=[*fields, "revision"])


def _trail(
    signature: Signature,
    kind: str,
    *,
    before: str,
    actor_kind: str,
    by: AbstractBaseUser | None = None,
    note: str = "",
) -> None:
    """Add a step to the signature's trail, in the transaction that takes the step, and say it
    in the log (numbers and words only: no name, address or token)."""
    logger.info(
        "signature=%s letter=%s event=%s from=%s to=%s by=%s",
        signature.pk,
        signature.letter_id,
        kind,
        before,
        signature.status,
        actor_kind,
    )
    SignatureEvent.objects.create(
        signature=signature,
        kind=kind,
        actor_kind=actor_kind,
        actor=by,
        actor_name=by.get_username() if by is not None else "",
        before=before,
        after=signature.status,
        note=note[:500],
    )


def _count(*moves: tuple[Signature, int]) -> None:
    """Count each (signature, +1) in, each (signature, -1) out, in one step."""
    letter = Letter.objects.only("hide_unnamed_countries").get(pk=moves[0][0].letter_id)
    changes = [
        CountChange(
            country=public_country(signature, letter),
            unnamed=not signature.list_publicly,
            delta=delta,
        )
        for signature, delta in moves
    ]
    counts_apply(letter_id=letter.pk, changes=changes)
