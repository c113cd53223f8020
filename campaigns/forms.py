from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from campaigns import languages
from campaigns.models import Letter
from campaigns.services import DELIVERED_FIELDS, differs
from config.forms import RevisionCheckedForm

# Addresses under /letters/ that are not letters.
RESERVED_SLUGS = frozenset({"feed"})


class LetterForm(RevisionCheckedForm):
    """The organisers' form for a letter (in the admin)."""

    class Meta:
        model = Letter
        fields = [
            "language", *languages.all_text_field_names(), "slug", "addressee", "contact_email",
            "status", "requires_approval", "hide_unnamed_countries", "always_challenge", "goal",
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

    def clean_language(self):
        language = self.cleaned_data["language"]
        if self.instance.pk and self.instance.slug_locked and language != self.instance.language:
            raise ValidationError(
                _(
                    "The letter has taken signatures in this language's text: it stays the "
                    "authoritative one, as its text versions record."
                ),
                code="language_locked",
            )
        return language

    def clean(self):
        cleaned = super().clean()
        self._check_texts(cleaned)
        delivered_at = self.instance.delivered_at if self.instance.pk else None
        if delivered_at is None:
            return cleaned
        for field in DELIVERED_FIELDS:
            if field in cleaned and differs(cleaned[field], getattr(self.instance, field)):
                self.add_error(
                    field,
                    ValidationError(
                        _("The letter was delivered on %(date)s: this stays as delivered."),
                        code="delivered",
                        params={"date": date_format(delivered_at, "DATE_FORMAT")},
                    ),
                )
        return cleaned

    def _check_texts(self, cleaned):
        """The authoritative language has a title and a body; any other language has both or
        nothing (its readers then see the authoritative text): a title over another
        language's body would be a text nobody wrote."""
        # Not in the form once the letter has taken signatures (read-only): the letter's own.
        authoritative = cleaned.get("language") or self.instance.language
        for code in languages.codes():
            title, summary, body = (cleaned.get(name) for name in languages.text_field_names(code))
            if code != authoritative and not (title or summary or body):
                continue
            for field, value in (("title", title), ("body", body)):
                name = languages.localized(field, code)
                if not value and name in self.fields and name not in self.errors:
                    self.add_error(name, self._missing(code, authoritative))

    @staticmethod
    def _missing(code, authoritative):
        if code == authoritative:
            return ValidationError(
                _("The authoritative text needs a title and a body."), code="required"
            )
        return ValidationError(
            _(
                "Give this language both a title and a body, or leave its title, summary and "
                "body empty: its readers then see the authoritative text."
            ),
            code="incomplete_translation",
        )
