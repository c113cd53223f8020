from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from campaigns.models import Letter
from campaigns.services import DELIVERED_FIELDS
from config.forms import RevisionCheckedForm

# Addresses under /letters/ that are not letters.
RESERVED_SLUGS = frozenset({"feed"})


class LetterForm(RevisionCheckedForm):
    """The organisers' form for a letter (in the admin)."""

    class Meta:
        model = Letter
        fields = [
            "title", "slug", "addressee", "summary", "body", "contact_email", "status",
            "requires_approval", "hide_unnamed_countries", "always_challenge", "goal",
            "closes_at", "organisers",
        ]  # fmt: skip

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise ValidationError(
                _("“%(slug)s” is the address of another page: choose another slug."),
                code="slug_reserved",
                params={"slug": slug},
            )
        if self.instance.pk and self.instance.slug_locked and slug != self.instance.slug:
            raise ValidationError(
                _("The letter has opened: its address is in emails and links, so it stays."),
                code="slug_locked",
            )
        return slug

    def clean(self):
        cleaned = super().clean()
        delivered_at = self.instance.delivered_at if self.instance.pk else None
        if delivered_at is None:
            return cleaned
        for field in DELIVERED_FIELDS:
            if field in cleaned and cleaned[field] != getattr(self.instance, field):
                self.add_error(
                    field,
                    ValidationError(
                        _("The letter was delivered on %(date)s: this stays as delivered."),
                        code="delivered",
                        params={"date": date_format(delivered_at, "DATE_FORMAT")},
                    ),
                )
        return cleaned
