"""The admin site: organisers' sign-in, throttled (django-axes) and with optional two-factor
(TOTP, django-otp), which superusers must use when ADMIN_2FA_FOR_SUPERUSERS is on."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.plugins.otp_totp.models import TOTPDevice


def must_use_two_factor(user) -> bool:
    """Whoever set up an authenticator app signs in with it; superusers must, when asked."""
    return user_has_device(user) or (user.is_superuser and settings.ADMIN_2FA_FOR_SUPERUSERS)


class OrganiserLoginForm(OTPAuthenticationFormMixin, AdminAuthenticationForm):
    otp_error_messages = dict(
        OTPAuthenticationFormMixin.otp_error_messages,
        token_required=_("Enter the code from your authenticator app."),
        invalid_token=_("That code is not right (or has expired). Enter the current one."),
    )
    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        required=False,
        help_text=_("Only if you have set up two-factor sign-in."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def _chosen_device(self, user):
        # Organisers have one authenticator (manage.py totp_enrol), so the form asks for no
        # device: the code is checked against that one.
        chosen = super()._chosen_device(user)
        if chosen is None:
            devices = TOTPDevice.objects.devices_for_user(user, confirmed=True)
            chosen = devices.select_for_update().order_by("pk").first()
        return chosen

    def clean(self):
        cleaned = super().clean()  # the password first: nothing is said before it is right
        user = self.get_user()
        if user is not None and user_has_device(user):
            self.clean_otp(user)
        elif user is not None and must_use_two_factor(user):
            raise ValidationError(
                _(
                    "This account must sign in with two-factor authentication. Whoever runs "
                    "the site sets it up with: manage.py totp_enrol %(username)s"
                )
                % {"username": user.get_username()},
                code="two_factor_required",
            )
        return cleaned


class SiteAdmin(admin.AdminSite):
    site_header = "Undersigned"
    site_title = _("Undersigned admin")
    login_form = OrganiserLoginForm
    login_template = "admin/undersigned_login.html"

    def has_permission(self, request):
        user = request.user
        if not super().has_permission(request):
            return False
        # A session signed in before two-factor was required, or without the code: not enough.
        return not must_use_two_factor(user) or user.is_verified()
