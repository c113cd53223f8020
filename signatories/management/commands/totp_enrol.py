from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = (
        "Set up two-factor sign-in for an organiser's account: prints the otpauth:// address "
        "to add to an authenticator app (as a QR code, or typed in). From then on the account "
        "signs in to the admin with a code from the app. --remove takes it away again."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--remove", action="store_true", help="remove the account's devices")

    def handle(self, *args, username, remove=False, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account with the user name {username!r}.")
        devices = TOTPDevice.objects.filter(user=user)
        if remove:
            removed, _ = devices.delete()
            self.stdout.write(f"Removed {removed} authenticator devices of {username}.")
            return
        device = TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=True)
        self.stdout.write(
            f"Add this to {username}'s authenticator app, then sign in with its code:\n"
            f"{device.config_url}"
        )
