from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Letter
from signatories.counts import recount


class Command(BaseCommand):
    help = (
        "Recompute the signatory counts of every letter (or one) from its signatures and repair "
        "any drift. With --check, only report drift, and exit non-zero if there is any."
    )

    def add_arguments(self, parser):
        parser.add_argument("--letter", metavar="SLUG", help="only this letter")
        parser.add_argument(
            "--check", action="store_true", help="report drift without repairing it"
        )

    def handle(self, *args, letter=None, check=False, **options):
        letters = Letter.objects.order_by("pk")
        if letter:
            letters = letters.filter(slug=letter)
            if not letters.exists():
                raise CommandError(f"No letter with the slug {letter!r}.")
        drifted = 0
        for each in letters:
            drift = recount(each, repair=not check)
            for item in drift:
                self.stdout.write(
                    f"{each.slug} {item.country}: counted {item.stored[0]} "
                    f"({item.stored[1]} unnamed), signatures say {item.actual[0]} "
                    f"({item.actual[1]} unnamed)" + ("" if check else ": repaired")
                )
            drifted += len(drift)
        if check and drifted:
            raise CommandError(f"{drifted} counts differ from the signatures.", returncode=1)
        self.stdout.write(
            f"{drifted} counts repaired." if drifted else "Counts match the signatures."
        )
