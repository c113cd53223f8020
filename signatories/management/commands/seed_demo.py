import random
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from campaigns.models import Letter
from signatories.counts import recount
from signatories.demo import DEMO_LETTER, DEMO_SLUG, demo_signatories
from signatories.models import Signature
from signatories.text import name_for_matching
from signatories.tokens import new_withdraw_key


class Command(BaseCommand):
    help = "Create the demo letter and its signatories (once: running it again changes nothing)."

    @transaction.atomic
    def handle(self, *args, **options):
        letter, created = Letter.objects.get_or_create(
            slug=DEMO_SLUG,
            defaults={
                **DEMO_LETTER,
                "status": Letter.Status.OPEN,
                "opened_at": timezone.now() - timedelta(days=15),
                "closes_at": timezone.now() + timedelta(days=30),
            },
        )
        if not letter.signatures.exists():
            self._sign(letter)
        letter.refresh_from_db()
        self.stdout.write(
            f"{'Created' if created else 'Already present:'} demo letter "
            f"{letter.get_absolute_url()} with {letter.signatures.count()} signatures"
        )

    def _sign(self, letter: Letter) -> None:
        # Approved signatures written directly, as an import would, then counted by recount:
        # the demo needs no emails sent and no one to click links.
        now = timezone.now()
        signatures = []
        people = demo_signatories(random.Random(2020))  # noqa: S311 - a fixed demo, not a secret
        for offset, person in enumerate(people):
            signed = now - timedelta(days=14, minutes=offset * 37)
            signatures.append(
                Signature(
                    letter=letter,
                    **person,
                    email_canonical=person["contact_email"],
                    name_normalised=name_for_matching(person["organisation_name"]),
                    website_domain=person["website"].removeprefix("https://"),
                    email_domain_matches=True,
                    authorised=True,
                    consent=True,
                    status=Signature.Status.APPROVED,
                    created_at=signed,
                    confirmed_at=signed,
                    approved_at=signed,
                    withdraw_key=new_withdraw_key(),
                    email_state=Signature.EmailState.SENT,
                )
            )
        Signature.objects.bulk_create(signatures)
        recount(letter, repair=True)
