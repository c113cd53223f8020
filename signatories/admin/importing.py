"""The letter's import of signatures gathered outside the form, in the admin (mixed into
LetterAdmin): upload a file → a preview of every row and its errors → confirm.

The uploaded rows wait between the preview and the confirmation in the cache (Redis in
production; the process's memory on the embedded default) under a random key that only the
organiser who uploaded them can use, for PREVIEW_SECONDS. The confirmation imports exactly
those rows, checked again first: someone may have signed the letter meanwhile.

Every page checks the permission to import and that the user organises the letter.
"""

import secrets

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.db import IntegrityError
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from campaigns.models import Letter
from signatories import importing
from signatories.admin.base import may_work_on, workbench_letter, workbench_page
from signatories.errors import LetterDelivered

# How long an uploaded file waits for its confirmation.
PREVIEW_SECONDS = 60 * 60


IMPORT_PERMISSION = "signatories.import_signatures"


def may_import(user, letter) -> bool:
    return may_work_on(user, letter, IMPORT_PERMISSION)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > importing.MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(megabytes)d MB: split it into several imports.")
                % {"megabytes": importing.MAX_FILE_BYTES // (1024 * 1024)}
            )
        try:
            self.table = importing.read_table(upload.read())
        except importing.ImportFileError as error:
            raise forms.ValidationError(str(error)) from None
        return upload


class ConfirmForm(forms.Form):
    approve = forms.BooleanField(
        label=_("Approve them at once (counted and published)"),
        required=False,
        help_text=_("Otherwise they await review, as confirmed signatures from the form do."),
    )


class ImportViews:
    """Mixed into LetterAdmin: the upload at <letter id>/import/ and the preview (GET) and
    confirmation (POST) at <letter id>/import/<key>/."""

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}_import"
        return [
            path(
                "<int:object_id>/import/",
                self.admin_site.admin_view(self.import_upload_view),
                name=prefix,
            ),
            path(
                "<int:object_id>/import/<str:key>/",
                self.admin_site.admin_view(self.import_preview_view),
                name=f"{prefix}_preview",
            ),
            *super().get_urls(),
        ]

    def import_upload_view(self, request, object_id):
        letter = self._import_letter(request, object_id)
        if letter.is_delivered:
            return self._delivered(request, letter)
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            key = secrets.token_urlsafe(16)
            stored = {"table": form.table, "filename": form.cleaned_data["file"].name[:200]}
            cache.set(_cache_key(request, letter, key), stored, PREVIEW_SECONDS)
            return HttpResponseRedirect(
                reverse("admin:campaigns_letter_import_preview", args=[letter.pk, key])
            )
        context = {
            "form": form,
            "columns": importing.IMPORT_COLUMNS,
            "required_columns": importing.REQUIRED_COLUMNS,
            "max_rows": importing.MAX_ROWS,
            "max_megabytes": importing.MAX_FILE_BYTES // (1024 * 1024),
        }
        return self._import_render(
            request, "import_upload.html", letter, _("Import signatures"), context
        )

    def import_preview_view(self, request, object_id, key):
        letter = self._import_letter(request, object_id)
        stored = cache.get(_cache_key(request, letter, key))
        if stored is None:
            self.message_user(
                request,
                _("That preview has expired or was imported already: upload the file again."),
                messages.WARNING,
            )
            return HttpResponseRedirect(reverse("admin:campaigns_letter_import", args=[letter.pk]))
        checked = importing.check_table(letter, stored["table"])
        form = ConfirmForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            if not checked.ok:
                self.message_user(
                    request,
                    _("Nothing was imported: the rows below have errors (someone may have "
                      "signed the letter since the preview)."),
                    messages.ERROR,
                )  # fmt: skip
            else:
                try:
                    signatures = importing.import_checked(
                        letter, checked, by=request.user, approve=form.cleaned_data["approve"]
                    )
                except LetterDelivered:
                    return self._delivered(request, letter)
                except IntegrityError:
                    self.message_user(
                        request,
                        _("Nothing was imported: one of these addresses signed the letter "
                          "just now. Check the rows again."),
                        messages.ERROR,
                    )  # fmt: skip
                    return HttpResponseRedirect(request.path)
                cache.delete(_cache_key(request, letter, key))
                summary = ngettext(
                    "Imported %(count)d signature from %(file)s.",
                    "Imported %(count)d signatures from %(file)s.",
                    len(signatures),
                ) % {"count": len(signatures), "file": stored["filename"]}
                self.log_change(request, letter, summary)
                self.message_user(request, summary, messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:campaigns_letter_change", args=[letter.pk])
                )
        context = {
            "form": form,
            "checked": checked,
            "filename": stored["filename"],
            "key": key,
        }
        title = _("Check the rows before importing them")
        return self._import_render(request, "import_preview.html", letter, title, context)

    # Helpers -----------------------------------------------------------------------------------

    def _import_letter(self, request, object_id) -> Letter:
        return workbench_letter(request, object_id, IMPORT_PERMISSION)

    def _delivered(self, request, letter):
        message = _("The letter has been delivered: its list takes no more names.")
        self.message_user(request, message, messages.ERROR)
        return HttpResponseRedirect(reverse("admin:campaigns_letter_change", args=[letter.pk]))

    def _import_render(self, request, template, letter, title, context):
        return workbench_page(self, request, template, letter, title, context)


def _cache_key(request, letter, key: str) -> str:
    # The user's id is part of it: another organiser given the link finds nothing there.
    return f"signatories:import:{letter.pk}:{request.user.pk}:{key}"
