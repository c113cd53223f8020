from django.core.management.base import BaseCommand

from signatories import retention


class Command(BaseCommand):
    help = (
        "Apply the retention periods (README, Privacy): clear where old signatures came from, "
        "delete submissions nobody confirmed, erase the contact details of letters closed long "
        "ago. With --dry-run, only say how much would go."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")

    def handle(self, *args, dry_run=False, **options):
        report = retention.purge(dry_run=dry_run)
        self.stdout.write("Would purge (dry run):" if dry_run else "Purged:")
        for line in report.lines():
            self.stdout.write(f"  {line}")
