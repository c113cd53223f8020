from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Letter
from config import kept_responses


class Command(BaseCommand):
    help = (
        "Render every public page anew on its next request: after a change the site's own "
        "code did not make, such as a signature or letter changed in a shell (a bulk update, "
        "a delete) or raw SQL. The services, a letter's save() and migrations do this themselves."
    )

    def handle(self, *args, **options):
        Letter.objects.every_publication_changed()
        if settings.KEPT_RESPONSES and not kept_responses.generation_is_shared():
            # The letters' versions moved (the database was reached), but the new generation
            # went to this process's memory only: the web processes keep serving their pages.
            raise CommandError(
                "Redis did not answer: pages kept by the web processes may stay as they were "
                f"for up to {kept_responses.KEPT_SECONDS // 60} minutes. Run this again once "
                "Redis answers."
            )
        self.stdout.write("Public pages will be rendered anew on their next request.")
