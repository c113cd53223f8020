from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Letter
from signatories import exporting


class Command(BaseCommand):
    help = (
        "Export a letter's signatories for delivery. By default the public list (named, approved "
        "signatories by country, then the organisations that asked not to be named, counted as "
        "the letter's page counts them); with --contacts, every approved signature with its "
        "contact details. CSV goes to standard output unless --output is given; XLSX needs "
        "--output (it is binary). Each export is logged; with --by, it is also recorded in the "
        "letter's admin history under that user."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the letter's slug")
        parser.add_argument(
            "--format",
            choices=exporting.FORMATS,
            help="csv or xlsx (default: xlsx for an --output ending in .xlsx, otherwise csv)",
        )
        parser.add_argument(
            "--contacts",
            action="store_true",
            help="every approved signature with its contact details (keep the file private)",
        )
        parser.add_argument("--output", metavar="FILE", help="write to FILE, not to stdout")
        parser.add_argument(
            "--by", metavar="USERNAME", help="record the export in the admin as made by this user"
        )

    def handle(self, *args, slug, contacts=False, output=None, by=None, **options):
        letter = Letter.objects.filter(slug=slug).first()
        if letter is None:
            raise CommandError(f"No letter with the slug {slug!r}.")
        named_xlsx = (output or "").lower().endswith(".xlsx")
        file_format = options.get("format") or ("xlsx" if named_xlsx else "csv")
        if file_format == "xlsx" and not output:
            raise CommandError("An XLSX file is binary: give --output FILE.")
        user = None
        if by:
            user = get_user_model()._default_manager.filter(username=by).first()
            if user is None:
                raise CommandError(f"No user with the username {by!r}.")

        export = (exporting.contacts_export if contacts else exporting.public_export)(letter)
        if output is None:
            rows = exporting.write_csv(export, _Unterminated(self.stdout))
        elif file_format == "csv":
            with open(output, "w", encoding="utf-8", newline="") as out:
                rows = exporting.write_csv(export, out)
        else:
            with open(output, "wb") as out:
                rows = exporting.write_xlsx(export, out)
        exporting.record_export(export=export, file_format=file_format, rows=rows, by=user)
        if output is not None:
            self.stdout.write(f"wrote {rows} rows to {output}")


class _Unterminated:
    """The command's stdout as a plain text stream: the CSV writer ends its own lines."""

    def __init__(self, out):
        self.out = out

    def write(self, text):
        self.out.write(text, ending="")
