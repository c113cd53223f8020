import functools
import time

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout, Submit
from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_altcha import AltchaField, AltchaWidget

from signatories.models import SUBMITTED_FIELDS, Signature

# When the form was shown, signed so that it cannot be made up; good for a day.
MAX_FORM_AGE_SECONDS = 24 * 60 * 60
_started_signer = signing.Signer(salt="signatories.sign-form.started")


class ChallengeWidget(AltchaWidget):
    """The ALTCHA widget, shown as a field of its own (with its label and its error), not as
    the hidden input it is underneath."""

    @property
    def is_hidden(self):
        return False


class ChallengeField(AltchaField):
    widget = ChallengeWidget


def started_token(at: float | None = None) -> str:
    """The hidden value that says when the form was shown (now, or at `at`)."""
    return _started_signer.sign(str(int(time.time() if at is None else at)))


class CountryChoiceField(forms.ChoiceField):
    """The country select, its options built once per language (django-countries' names in
    the collation's order). Each form used to copy and check the 250 options, and each check
    of a submitted value went through them again: 3 ms of every submission (bench/README.md).
    """

    def __init__(self, **kwargs):
        super().__init__(choices=_choices_in_active_language, **kwargs)

    def valid_value(self, value) -> bool:
        return value in _country_codes()


def _choices_in_active_language() -> list[tuple[str, str]]:
    return _country_choices(get_language())


@functools.cache
def _country_choices(language: str | None) -> list[tuple[str, str]]:
    with translation.override(language):
        names = Signature._meta.get_field("country").formfield().choices
        return [
            ("", str(_("Choose a country…"))),
            *((code, str(name)) for code, name in names if code),
        ]


@functools.cache
def _country_codes() -> frozenset[str]:
    return frozenset(code for code, _name in _country_choices(settings.LANGUAGE_CODE) if code)


class SignatureForm(forms.ModelForm):
    """The public sign form. What a field may contain is checked by the model's fields
    (signatories.text), which the admin and imports apply too.

    Against scripts it carries a honeypot (`homepage`, hidden from people, filled by bots),
    the time it was shown (`started`: a post sooner than SIGN_MIN_FILL_SECONDS after is a
    script's), and, when `challenge` is asked for (signatories.limits), a proof-of-work check
    the browser solves (ALTCHA). Each failure says what to do; nothing is saved.
    """

    homepage = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    started = forms.CharField(widget=forms.HiddenInput, required=False)
    country = CountryChoiceField(
        label=_("Country"),
        help_text=_("Where the organisation is based."),
        widget=forms.Select(attrs={"data-searchable": "true"}),
    )
    # The version of the letter's text the form was shown with (campaigns.LetterVersion): a
    # signature is for the text its signer read, so a change meanwhile asks them to read again.
    text_version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31 - 1
    )

    list_publicly = forms.BooleanField(
        label=_("Show our organisation's name in the public list of signatories"),
        required=False,
        initial=True,
        help_text=_(
            "Untick to be counted but not named: your organisation then counts in the totals "
            "and for its country, and its name appears nowhere in public."
        ),
    )
    hide_country = forms.BooleanField(
        label=_("If we are not named, keep our country private too"),
        required=False,
        help_text=_(
            "Your organisation then counts only in the total, under “Country not disclosed”, "
            "and in no country's count."
        ),
    )
    authorised = forms.BooleanField(
        label=_("I am authorised to sign on behalf of this organisation"),
        required=True,
        error_messages={"required": _("Only someone who may sign for the organisation can sign.")},
    )
    consent = forms.BooleanField(
        required=True,
        error_messages={"required": _("We need your agreement to process your details.")},
    )

    class Meta:
        model = Signature
        fields = SUBMITTED_FIELDS
        labels = {
            "organisation_name": _("Organisation name"),
            "website": _("Website"),
            "contact_name": _("Your name"),
            "contact_role": _("Your role in the organisation"),
            "contact_email": _("Your email address"),
            "comment": _("Comment for the organisers (optional)"),
        }
        help_texts = {
            "website": _("Your organisation's website, if it has one."),
            "contact_email": _(
                "We send the confirmation link here. An address at your organisation's own "
                "domain helps organisers verify the signature. It is never published."
            ),
            "contact_name": _("Never published."),
        }
        widgets = {
            "comment": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, challenge: bool = False, text_version: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["started"] = started_token()
        self.initial["text_version"] = self.current_text_version = text_version
        if challenge:
            self.fields["altcha"] = ChallengeField(
                label=_("A quick check that you are a person"),
                workerurl=static("vendor/altcha/worker.js"),
                auto="onsubmit",  # pressing "Sign the letter" solves it, then sends
                hidefooter=True,
                hidelogo=True,
                error_messages={
                    "required": _(
                        "Many signatures came from your connection just now: let your browser "
                        "complete the check below (it takes a few seconds), then send again."
                    ),
                },
            )
        self.fields["consent"].label = format_html(
            _('I have read the <a href="{url}" target="_blank">privacy notice</a> and agree to '
              "the processing of these details"),
            url=reverse("privacy"),
        )  # fmt: skip
        self.fields["contact_email"].widget.attrs["autocomplete"] = "email"
        self.fields["contact_name"].widget.attrs["autocomplete"] = "name"
        self.fields["organisation_name"].widget.attrs["autocomplete"] = "organization"
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}  # our messages, not the browser's, for every field
        self.helper.layout = Layout(
            *SUBMITTED_FIELDS,
            # Off screen and out of the tab order: only a script fills it.
            Div(Field("homepage"), css_class="visually-hidden", aria_hidden="true"),
            "started",
            "text_version",
            *(["altcha"] if challenge else []),
        )
        self.helper.add_input(Submit("submit", _("Sign the letter"), css_class="btn-lg"))

    def clean(self):
        cleaned = super().clean()
        # Said above the form: the fields at fault are not ones a person sees.
        if cleaned.get("homepage"):
            self.add_error(
                None,
                ValidationError(
                    _(
                        "This form could not be sent. If you filled in the field “Leave this "
                        "field empty”, empty it and send again."
                    ),
                    code="honeypot",
                ),
            )
        problem = self._timing_problem(cleaned.get("started", ""))
        if problem is not None:
            self.add_error(None, problem)
        shown = cleaned.get("text_version")
        if shown is not None and shown != self.current_text_version:
            self.add_error(
                None,
                ValidationError(
                    _("The text of the letter changed while this form was open. Please read "
                      "it again, then send the form."),
                    code="text_changed",
                ),
            )  # fmt: skip
        return cleaned

    @staticmethod
    def _timing_problem(started: str) -> ValidationError | None:
        """Whether the form was shown long enough ago (a script posts at once), and not so long
        ago that one token, fetched once, could serve a script for days."""
        try:
            age = time.time() - int(_started_signer.unsign(started))
        except (signing.BadSignature, ValueError):
            age = None  # missing or made up
        if age is not None and age > MAX_FORM_AGE_SECONDS:
            return ValidationError(
                _("This form was opened more than a day ago. Please check your details and "
                  "send it again."),
                code="form_expired",
            )  # fmt: skip
        if age is None or age < settings.SIGN_MIN_FILL_SECONDS:
            return ValidationError(
                _("That was quicker than a person fills this form. Please check your details "
                  "and send it again."),
                code="too_quick",
            )  # fmt: skip
        return None

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self.errors:
            # Shown again, the form counts its time from now.
            self.data = self.data.copy()
            self.data["started"] = started_token()
            self.data["text_version"] = self.current_text_version
