import random
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from campaigns import languages
from campaigns.models import Letter
from signatories.counts import recount
from signatories.demo import (
    DEMO_REVIEW_QUEUE,
    DEMO_SLUG,
    demo_letter_fields,
    demo_signatories,
)
from signatories.models import Signature, SignatureEvent
from signatories.services import _derive_from_addresses as derive_vetting_fields
from signatories.tokens import new_withdraw_key


class Command(BaseCommand):
    help = "Create the demo letter and its signatories (once: running it again changes nothing)."

    @transaction.atomic
    def handle(self, *args, **options):
        letter, created = Letter.objects.get_or_create(
            slug=DEMO_SLUG,
            defaults={
                **demo_letter_fields(),
                "status": Letter.Status.OPEN,
                "opened_at": timezone.now() - timedelta(days=15),
                "closes_at": timezone.now() + timedelta(days=30),
            },
        )
        if not created:
            self._add_missing_texts(letter)
        if not letter.signatures.exists():
            self._sign(letter)
        letter.refresh_from_db()
        self.stdout.write(
            f"{'Created' if created else 'Already present:'} demo letter "
            f"{letter.get_absolute_url()} with {letter.signatures.count()} signatures"
        )

    def _add_missing_texts(self, letter: Letter) -> None:
        """A demo letter made before it had its text in every language gets the ones it lacks;
        nothing an organiser wrote is replaced."""
        missing = {
            name: value
            for name, value in demo_letter_fields().items()
            if name in languages.all_text_field_names() and not getattr(letter, name)
        }
        if missing:
            Letter.objects.filter(pk=letter.pk).update(**missing)
            Letter.objects.publication_changed(letter.pk)

    def _sign(self, letter: Letter) -> None:
        # Approved signatures written directly, as an import would, then counted by recount:
        # the demo needs no emails sent and no one to click links.
        now = timezone.now()
        signatures = []
        people = demo_signatories(random.Random(2020))  # noqa: S311 - a fixed demo, not a secret
        for offset, person in enumerate(people):
            signed = now - timedelta(days=14, minutes=offset * 37)
            signature = Signature(
                letter=letter,
                **person,
                authorised=True,
                consent=True,
                status=Signature.Status.APPROVED,
                created_at=signed,
                confirmed_at=signed,
                approved_at=signed,
                withdraw_key=new_withdraw_key(),
                email_state=Signature.EmailState.SENT,
            )
            derive_vetting_fields(signature)  # as the sign form would: duplicates show
            signatures.append(signature)
        Signature.objects.bulk_create(signatures)
        recount(letter, repair=True)
        self._queue_for_review(letter, now)

    def _queue_for_review(self, letter: Letter, now) -> None:
        """Confirmed submissions waiting for an organiser: the review queue, with a signal of
        each kind to look at."""
        for offset, (name, website, country, email) in enumerate(DEMO_REVIEW_QUEUE):
            confirmed = now - timedelta(hours=20 - offset)
            signature = Signature(
                letter=letter,
                organisation_name=name,
                website=website,
                country=country,
                contact_name="Demo Contact",
                contact_email=email,
                authorised=True,
                consent=True,
                status=Signature.Status.VERIFIED,
                created_at=confirmed - timedelta(minutes=5),
                confirmed_at=confirmed,
                withdraw_key=new_withdraw_key(),
                email_state=Signature.EmailState.SENT,
            )
            derive_vetting_fields(signature)
            signature.save()
            SignatureEvent.objects.create(
                signature=signature,
                at=confirmed,
                kind=SignatureEvent.Kind.CONFIRMED,
                actor_kind=SignatureEvent.Actor.SIGNER,
                before=Signature.Status.PENDING,
                after=Signature.Status.VERIFIED,
            )
