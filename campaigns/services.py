"""Every change to a letter: organisers' edits (through the admin) and what happens on its own.

Each edit stamps the status changes (opened, closed), locks the slug once the letter has opened,
refuses a form opened before someone else saved, records a new text version when the text of
a letter taking signatures changes, and bumps `published_version`, so cached pages of the
letter are bypassed from the commit on.
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from campaigns import languages
from campaigns.errors import (
    DeliveredLetter,
    LanguageLocked,
    NotDeliverable,
    SlugLocked,
    StaleEdit,
)
from campaigns.models import Letter, LetterVersion, new_invite_key, text_hash
from campaigns.signals import letter_updated
from config.kept_responses import public_pages_changed


@transaction.atomic(durable=True)
def letter_create(*, letter: Letter, organisers=(), created_by=None) -> Letter:
    """Save a new letter from an organiser's form; whoever created it is one of its
    organisers."""
    _stamp_status(letter, before=None)
    letter.save()
    letter.organisers.set({*organisers, *([created_by] if created_by is not None else [])})
    if _record_version(letter, by=created_by):
        letter.save(update_fields=["text_version"])
    return letter


@transaction.atomic(durable=True)
def letter_update(*, letter: Letter, changes: dict, revision: int, by=None) -> Letter:
    """Save an organiser's changes (field -> new value) to a letter.

    `revision` is the letter's revision when the form was opened: if anyone saved the letter
    since, StaleEdit is raised and nothing is written. Raises SlugLocked for a new slug once
    the letter has opened.
    """
    locked = Letter.objects.select_for_update().get(pk=letter.pk)
    if locked.revision != revision:
        raise StaleEdit(locked)
    language = changes.get("language", locked.language)
    changes = {_stored_name(field, language): value for field, value in changes.items()}
    organisers = changes.pop("organisers", None)  # a relation, saved apart from the row
    if "slug" in changes and changes["slug"] != locked.slug and locked.slug_locked:
        raise SlugLocked(locked)
    if language != locked.language and locked.slug_locked:
        raise LanguageLocked(locked)
    if locked.is_delivered and _changes_delivered(locked, changes):
        raise DeliveredLetter(locked)
    before = locked.status
    for field, value in changes.items():
        setattr(locked, field, value)
    _stamp_status(locked, before=before)
    _record_version(locked, by=by)
    locked.revision += 1
    fields = {*changes, "opened_at", "closed_at", "revision", "updated_at", "text_version"}
    locked.save(update_fields=fields)
    Letter.objects.publication_changed(locked.pk)
    locked.refresh_from_db(fields=["published_version"])
    if organisers is not None:
        locked.organisers.set(organisers)
    # What depends on the letter's settings (the counts, in signatories) follows in this
    # transaction; campaigns knows nothing of it.
    letter_updated.send(sender=Letter, letter=locked, changed=set(changes))
    return locked


# What was handed over: fixed once the letter is delivered (and it stays closed).
DELIVERED_FIELDS = (
    "language",
    *(
        languages.localized(field, code)
        for code in languages.codes()
        for field in ("title", "body")
    ),
    "addressee",
    "status",
    "hide_unnamed_countries",
)


def _stored_name(field: str, language: str) -> str:
    """The field `field` names: "title", "summary" and "body" are those of the authoritative
    language's text."""
    if field in languages.TEXT_FIELDS:
        return languages.localized(field, language)
    return field


def _changes_delivered(letter: Letter, changes: dict) -> bool:
    return any(
        field in changes and differs(changes[field], getattr(letter, field))
        for field in DELIVERED_FIELDS
    )


def differs(new, old) -> bool:
    # A language without text holds NULL; the form gives "" for it.
    return (new or "") != (old or "")


def _record_version(letter: Letter, *, by) -> bool:
    """Record the letter's authoritative text as a new version if it takes signatures (or has
    taken them) and its title or body differ from the last version: signers signed a given
    text, and anyone may see what changed after they did. Returns whether a version was
    recorded. (The texts in other languages are renderings of this one: not versioned.)"""
    if letter.status == Letter.Status.DRAFT or (
        letter.text_version == 0 and letter.status not in Letter.SIGNING_STATUSES
    ):
        return False  # a draft's text is still being written: recorded when it is signed
    title, _summary, body = letter.text_in(letter.language)
    digest = text_hash(title, body)
    last = letter.versions.order_by("-number").values_list("text_hash", flat=True).first()
    if last == digest:
        return False
    letter.text_version += 1
    LetterVersion.objects.create(
        letter=letter,
        number=letter.text_version,
        title=title,
        body=body,
        text_hash=digest,
        created_by=by,
    )
    return True


@transaction.atomic(durable=True)
def letter_deliver(*, letter: Letter, to: str, at=None) -> Letter:
    """Record that the letter was handed to `to` (at `at`, now by default): it closes, and
    its list is frozen (signatories.services approves nothing on a delivered letter; those
    who withdraw still leave it). Raises NotDeliverable for a draft, an embargoed letter or
    one already delivered."""
    locked = Letter.objects.select_for_update().get(pk=letter.pk)
    if not locked.is_public or locked.is_delivered:
        raise NotDeliverable(locked)
    before = locked.status
    locked.delivered_at = at or timezone.now()
    locked.delivered_to = to
    locked.status = Letter.Status.CLOSED
    _stamp_status(locked, before=before)
    locked.revision += 1  # a form opened before must not reopen it
    fields = ["delivered_at", "delivered_to", "status", "closed_at", "revision", "updated_at"]
    locked.save(update_fields=fields)
    Letter.objects.publication_changed(locked.pk)
    locked.refresh_from_db(fields=["published_version"])
    return locked


@transaction.atomic(durable=True)
def letter_new_invite(*, letter: Letter) -> Letter:
    """Give the letter a new invite key: the old invite link stops working at once (a link
    that leaked before the launch)."""
    with transaction.atomic():
        Letter.objects.filter(pk=letter.pk).update(invite_key=new_invite_key())
        # The pages made for invitees carry the key in their links (the sign form's languages).
        Letter.objects.publication_changed(letter.pk)
    letter.refresh_from_db(fields=["invite_key", "published_version"])
    return letter


def _stamp_status(letter: Letter, *, before: str | None) -> None:
    now = timezone.now()
    if letter.status == Letter.Status.OPEN and letter.opened_at is None:
        letter.opened_at = now
    if letter.status == Letter.Status.CLOSED and before != Letter.Status.CLOSED:
        letter.closed_at = now
    elif letter.status != Letter.Status.CLOSED:
        letter.closed_at = None


@transaction.atomic(durable=True)
def letters_close_due() -> int:
    """Mark open letters whose closing date has passed as closed; return how many.

    Readers already see such a letter as closed (Letter.effective_status); this makes the
    stored status agree, so admin lists and filters tell organisers the truth.
    """
    closed = Letter.objects.filter(status=Letter.Status.OPEN, closes_at__lte=timezone.now()).update(
        status=Letter.Status.CLOSED,
        closed_at=F("closes_at"),
        updated_at=timezone.now(),
        revision=F("revision") + 1,  # a form opened before must not reopen it
    )
    if closed:
        public_pages_changed()
    return closed
