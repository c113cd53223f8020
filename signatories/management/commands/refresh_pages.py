from django.core.management.base import BaseCommand

from campaigns.models import Letter


class Command(BaseCommand):
    help = (
        "Render every public page anew on its next request: after a change the site's own "
        "code did not make, such as a bulk update in a shell or raw SQL (saves and migrations "
        "do this themselves)."
    )

    def handle(self, *args, **options):
        Letter.objects.every_publication_changed()
        self.stdout.write("Public pages will be rendered anew on their next request.")
