from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from campaigns.models import Letter
from signatories import importing
from signatories.errors import LetterDelivered


class Command(BaseCommand):
    help = (
        "Import signatures gathered outside the form from a CSV (UTF-8, comma or semicolon) or "
        "XLSX file whose first row names the columns: "
        + ", ".join(importing.IMPORT_COLUMNS)
        + f". At most {importing.MAX_ROWS:,} rows and {importing.MAX_FILE_BYTES // 2**20} MB. "
        "All or nothing: any error is printed as 'row N: field: message' and nothing is "
        "written (exit status 1). Imported signatures need no email confirmation: they await "
        "review, or are approved with --approve; each contact is emailed that they are listed, "
        "with their withdraw link. --by records the organiser who imported them."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the letter's slug")
        parser.add_argument("file", help="the CSV or XLSX file")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument(
            "--approve", action="store_true", help="approve them at once (counted and published)"
        )
        parser.add_argument(
            "--by", metavar="USERNAME", help="the organiser recorded as having imported them"
        )

    def handle(self, *args, slug, file, dry_run=False, approve=False, by=None, **options):
        letter = Letter.objects.filter(slug=slug).first()
        if letter is None:
            raise CommandError(f"No letter with the slug {slug!r}.")
        if letter.is_delivered:
            raise CommandError("The letter has been delivered: its list takes no more names.")
        user = None
        if by:
            user = get_user_model()._default_manager.filter(username=by).first()
            if user is None:
                raise CommandError(f"No user with the username {by!r}.")
        try:
            with open(file, "rb") as source:
                content = source.read(importing.MAX_FILE_BYTES + 1)
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror or error}") from None

        try:
            checked = importing.check(letter, content)
        except importing.ImportFileError as error:
            raise CommandError(f"{file}: {error}") from None
        if not checked.ok:
            for error in checked.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(checked.errors)} errors: nothing imported.")
        if dry_run:
            self.stdout.write(
                f"{len(checked.rows)} signatures would be imported (dry run: nothing written)"
            )
            return
        try:
            signatures = importing.import_checked(letter, checked, by=user, approve=approve)
        except LetterDelivered:
            raise CommandError(
                "The letter has been delivered: its list takes no more names."
            ) from None
        except IntegrityError:
            raise CommandError(
                "One of these addresses signed the letter while the file was being checked: "
                "nothing imported. Run the import again to see which."
            ) from None
        self.stdout.write(f"imported {len(signatures)} signatures")
