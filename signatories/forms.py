from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from signatories.models import SUBMITTED_FIELDS, Signature


class SignatureForm(forms.ModelForm):
    """The public sign form. What a field may contain is checked by the model's validators
    (signatories.validators), which the admin and imports apply too."""

    list_publicly = forms.BooleanField(
        label=_("Show our organisation's name in the public list of signatories"),
        required=False,
        initial=True,
        help_text=_(
            "Untick to be counted but not named: your organisation then counts in the totals "
            "and for its country, and its name appears nowhere in public."
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
            "country": _("Country"),
            "contact_name": _("Your name"),
            "contact_role": _("Your role in the organisation"),
            "contact_email": _("Your email address"),
            "comment": _("Comment for the organisers (optional)"),
        }
        help_texts = {
            "website": _("Your organisation's website, if it has one."),
            "country": _("Where the organisation is based."),
            "contact_email": _(
                "We send the confirmation link here. An address at your organisation's own "
                "domain helps organisers verify the signature. It is never published."
            ),
            "contact_name": _("Never published."),
        }
        widgets = {
            "comment": forms.Textarea(attrs={"rows": 3}),
            "country": forms.Select(attrs={"data-searchable": "true"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Choose a country…"))] + [
            choice for choice in self.fields["country"].choices if choice[0]
        ]
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
        self.helper.add_input(Submit("submit", _("Sign the letter"), css_class="btn-lg"))
