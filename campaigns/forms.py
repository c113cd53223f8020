from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from campaigns.models import Letter
from config.forms import RevisionCheckedForm


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
        if self.instance.pk and self.instance.slug_locked and slug != self.instance.slug:
            raise ValidationError(
                _("The letter has opened: its address is in emails and links, so it stays."),
                code="slug_locked",
            )
        return slug
