"""Form pieces shared by the apps' admin pages."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

STALE_FORM_MESSAGE = _(
    "Someone else saved this page after you opened it, so nothing was saved: your changes "
    "would have undone theirs. Reload the page to see the current values, then make your "
    "changes again."
)


class RevisionCheckedForm(forms.ModelForm):
    """A change form that carries the revision of the row it was opened at, and refuses to
    save over a newer one (optimistic concurrency). The model has a `revision` that its
    services bump on every edit and check again under a lock."""

    loaded_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["loaded_revision"] = self.instance.revision

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:
            current = type(self.instance).objects.filter(pk=self.instance.pk)
            if cleaned.get("loaded_revision") != current.values_list("revision").get()[0]:
                raise ValidationError(STALE_FORM_MESSAGE, code="stale")
        return cleaned

    def changes(self) -> dict:
        """The edited fields and their new values, for the service that saves them."""
        return {
            field: self.cleaned_data[field]
            for field in self.changed_data
            if field != "loaded_revision" and field in self.cleaned_data
        }
