"""Every change to a letter: organisers' edits (through the admin) and what happens on its own.

Each edit stamps the status changes (opened, closed), locks the slug once the letter has opened,
refuses a form opened before someone else saved, and bumps `published_version`, so cached
pages of the letter are bypassed from the commit on.
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from campaigns.errors import SlugLocked, StaleEdit
from campaigns.models import Letter
from campaigns.signals import letter_updated


@transaction.atomic(durable=True)
def letter_create(*, letter: Letter, organisers=(), created_by=None) -> Letter:
    """Save a new letter from an organiser's form; whoever created it is one of its
    organisers."""
    _stamp_status(letter, before=None)
    letter.save()
    letter.organisers.set({*organisers, *([created_by] if created_by is not None else [])})
    return letter


@transaction.atomic(durable=True)
def letter_update(*, letter: Letter, changes: dict, revision: int) -> Letter:
    """Save an organiser's changes (field -> new value) to a letter.

    `revision` is the letter's revision when the form was opened: if anyone saved the letter
    since, StaleEdit is raised and nothing is written. Raises SlugLocked for a new slug once
    the letter has opened.
    """
    locked = Letter.objects.select_for_update().get(pk=letter.pk)
    if locked.revision != revision:
        raise StaleEdit(locked)
    changes = dict(changes)
    organisers = changes.pop("organisers", None)  # a relation, saved apart from the row
    if "slug" in changes and changes["slug"] != locked.slug and locked.slug_locked:
        raise SlugLocked(locked)
    before = locked.status
    for field, value in changes.items():
        setattr(locked, field, value)
    _stamp_status(locked, before=before)
    locked.revision += 1
    fields = {*changes, "opened_at", "closed_at", "revision", "updated_at"}
    locked.save(update_fields=fields)
    Letter.objects.filter(pk=locked.pk).update(published_version=F("published_version") + 1)
    locked.refresh_from_db(fields=["published_version"])
    if organisers is not None:
        locked.organisers.set(organisers)
    # What depends on the letter's settings (the counts, in signatories) follows in this
    # transaction; campaigns knows nothing of it.
    letter_updated.send(sender=Letter, letter=locked, changed=set(changes))
    return locked


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
    return Letter.objects.filter(status=Letter.Status.OPEN, closes_at__lte=timezone.now()).update(
        status=Letter.Status.CLOSED,
        closed_at=F("closes_at"),
        updated_at=timezone.now(),
        revision=F("revision") + 1,  # a form opened before must not reopen it
    )
