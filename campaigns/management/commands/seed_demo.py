from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from campaigns.demo import DEMO_LETTER, DEMO_SLUG
from campaigns.models import Letter


class Command(BaseCommand):
    help = "Create the demo letter (once: running it again changes nothing)."

    def handle(self, *args, **options):
        letter, created = Letter.objects.get_or_create(
            slug=DEMO_SLUG,
            defaults={
                **DEMO_LETTER,
                "status": Letter.Status.OPEN,
                "closes_at": timezone.now() + timedelta(days=30),
            },
        )
        verb = "Created" if created else "Already present:"
        self.stdout.write(f"{verb} demo letter {letter.get_absolute_url()}")
