from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Letter
from signatories import updates
from signatories.models import Update
from signatories.tokens import withdraw_token


class Command(BaseCommand):
    help = (
        "Send an update to every approved signatory of a letter, each in the language they "
        "signed in and with their own withdraw link. The body is Markdown. With --dry-run, "
        "print how many would receive it and the first email, and send nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the letter's slug")
        parser.add_argument("--subject", required=True, help="the email's subject")
        parser.add_argument(
            "--body-file", required=True, metavar="FILE", help="the body, in Markdown (UTF-8)"
        )
        parser.add_argument("--dry-run", action="store_true", help="show it, send nothing")
        parser.add_argument(
            "--by", metavar="USERNAME", help="record the update as written and sent by this user"
        )

    def handle(self, *args, slug, subject, body_file, dry_run=False, by=None, **options):
        letter = Letter.objects.filter(slug=slug).first()
        if letter is None:
            raise CommandError(f"No letter with the slug {slug!r}.")
        try:
            with open(body_file, encoding="utf-8") as file:
                body = file.read()
        except OSError as error:
            raise CommandError(f"Cannot read {body_file}: {error.strerror}.") from error
        user = None
        if by:
            user = get_user_model()._default_manager.filter(username=by).first()
            if user is None:
                raise CommandError(f"No user with the username {by!r}.")

        if dry_run:
            self._dry_run(Update(letter=letter, subject=subject, body=body))
            return
        try:
            update = updates.update_create(letter=letter, subject=subject, body=body, by=user)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        count = updates.update_send(update=update, by=user)
        self.stdout.write(f"Sending update {update.pk} to {count} signatories.")
        if settings.EMAIL_JOBS == "thread":
            # The embedded default sends from threads of this process: let them finish first.
            updates.local_jobs.wait(timeout=60 + 6 * settings.EMAIL_TIMEOUT)
            update.refresh_from_db()
            self.stdout.write(f"Update {update.pk}: {update.get_status_display()}.")

    def _dry_run(self, update: Update) -> None:
        recipients = updates.recipients(update.letter).select_related("letter").order_by("pk")
        self.stdout.write(f"Would send to {recipients.count()} signatories (dry run).")
        first = recipients.first()
        if first is None:
            return
        message = updates.update_message(update, first)
        # A terminal's output ends up in logs: neither the address nor the withdraw link's
        # token is shown.
        token = withdraw_token(first.withdraw_key)
        self.stdout.write(f"The first email (signatory #{first.pk}, in {first.language}):")
        self.stdout.write(f"Subject: {message.subject}")
        if message.reply_to:
            self.stdout.write(f"Reply-To: {', '.join(message.reply_to)}")
        self.stdout.write("")
        self.stdout.write(message.body.replace(token, "<withdraw-token>"))
