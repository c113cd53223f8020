"""How long we keep what signatories give us, and the clean-up that holds to it.

- Where a signature came from (the keyed hashes of its address and network) is kept for
  PRIVACY_SOURCE_DAYS, the window in which organisers look for floods; then it is cleared.
- A submission nobody confirmed is deleted after PRIVACY_UNCONFIRMED_DAYS.
- PRIVACY_CONTACT_MONTHS after a letter closed, the contact details of its signatures (name,
  role, email address, comment) are erased. What was published stays as it was: the list, the
  counts, and each signature's organisation, website and country.
- The per-mailbox throttle rows and the records of failed admin sign-ins go with the window.

`purge` runs it all (manage.py purge, and a periodic task); `--dry-run` counts without
writing. Each step is one statement, so a purge interrupted halfway leaves nothing half-done.
"""

from dataclasses import dataclass, fields
from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from campaigns.models import Letter
from signatories.models import Inbox, Signature

ERASED = ""


@dataclass
class PurgeReport:
    sources_cleared: int = 0
    unconfirmed_deleted: int = 0
    contacts_erased: int = 0
    inboxes_forgotten: int = 0
    sign_in_failures_forgotten: int = 0

    def lines(self) -> list[str]:
        return [
            f"{field.name.replace('_', ' ')}: {getattr(self, field.name)}" for field in fields(self)
        ]


def purge(*, dry_run: bool = False) -> PurgeReport:
    """Apply the retention periods now; with `dry_run`, only count what would go."""
    now = timezone.now()
    source_cutoff = now - timedelta(days=settings.PRIVACY_SOURCE_DAYS)
    steps = {
        "sources_cleared": (
            Signature.objects.filter(created_at__lt=source_cutoff).filter(
                ~Q(ip_hash="") | ~Q(network_hash="")
            ),
            lambda rows: rows.update(ip_hash="", network_hash=""),
        ),
        "unconfirmed_deleted": (
            Signature.objects.filter(
                status=Signature.Status.PENDING,
                created_at__lt=now - timedelta(days=settings.PRIVACY_UNCONFIRMED_DAYS),
            ),
            lambda rows: rows.delete()[0],
        ),
        "contacts_erased": (
            Signature.objects.filter(
                letter__in=_letters_closed_before(
                    now - timedelta(days=30 * settings.PRIVACY_CONTACT_MONTHS)
                ),
                contacts_erased_at__isnull=True,
            ),
            lambda rows: rows.update(**erased_contact_fields(now)),
        ),
        "inboxes_forgotten": (
            Inbox.objects.filter(created_at__lt=source_cutoff).exclude(
                day__gte=(now - timedelta(days=1)).date()
            ),
            lambda rows: rows.delete()[0],
        ),
        "sign_in_failures_forgotten": (
            AccessAttempt.objects.filter(attempt_time__lt=source_cutoff),
            lambda rows: rows.delete()[0],
        ),
    }
    report = PurgeReport()
    for name, (rows, apply) in steps.items():
        if dry_run:
            setattr(report, name, rows.count())
        else:
            with transaction.atomic():
                setattr(report, name, apply(rows))
    return report


def _letters_closed_before(moment):
    closed_at = Coalesce("closed_at", "closes_at")
    return Letter.objects.closed().annotate(closed_on=closed_at).filter(closed_on__lt=moment)


def erased_contact_fields(now) -> dict:
    """What an erased signature keeps of its contact: nothing. The inbox column takes a value
    of its own per row (it must stay unique among confirmed signatures)."""
    return {
        "contact_name": ERASED,
        "contact_role": ERASED,
        "contact_email": ERASED,
        "comment": ERASED,
        "email_canonical": Concat(Value("erased-"), Cast("pk", CharField())),
        "ip_hash": "",
        "network_hash": "",
        "confirmation_token_hash": None,
        "contacts_erased_at": now,
    }


# Fields that are secrets, not data about the signatory: never exported.
NOT_EXPORTED = {"confirmation_token_hash", "withdraw_key", "email_job"}


def personal_data(signature: Signature) -> dict:
    """Everything held about a signature, for the signatory who asks to see it."""
    data = {
        field.name: _plain(getattr(signature, field.attname))
        for field in Signature._meta.concrete_fields
        if field.name not in NOT_EXPORTED
    }
    data["letter"] = signature.letter.title
    data["trail"] = [
        {"at": event.at.isoformat(), "what": event.kind, "by": event.who, "note": event.note}
        for event in signature.events.all()
    ]
    return data


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value if value is None or isinstance(value, bool | int) else str(value)
