"""The letter's delivery files in the admin (mixed into LetterAdmin): the public list and the
contacts, as CSV or XLSX, from buttons on the letter's page.

The public list is a download by link (GET): it holds what the letter's page shows. The
contacts are fetched by a form (POST, with its CSRF token): a link to them could be followed
by a prefetching browser or a crawler of the admin, and each fetch is recorded in the letter's
history as an export of contact details.
"""

import io

from django.http import HttpResponse, HttpResponseNotAllowed
from django.urls import path

from signatories import exporting
from signatories.admin.base import may_work_on, workbench_letter


def export_permissions(*, contacts: bool) -> list[str]:
    """What exporting the list (or, with `contacts`, the contact details) takes."""
    if contacts:
        return ["signatories.export_signatures", "signatories.export_contacts"]
    return ["signatories.export_signatures"]


def may_export(user, letter, *, contacts: bool) -> bool:
    """Whether `user` may export `letter`'s list (or, with `contacts`, its contact details)."""
    return may_work_on(user, letter, *export_permissions(contacts=contacts))


class ExportViews:
    """Mixed into LetterAdmin: the export downloads, at <letter id>/export/signatories.csv and
    .xlsx (GET), <letter id>/export/contacts.csv and .xlsx (POST)."""

    def get_urls(self):
        view = self.admin_site.admin_view(self.export_view)
        prefix = f"{self.opts.app_label}_{self.opts.model_name}_export"
        return [
            *(
                path(
                    f"<int:object_id>/export/{kind}.{file_format}",
                    view,
                    {"kind": kind, "file_format": file_format},
                    name=f"{prefix}_{kind}_{file_format}",
                )
                for kind in ("signatories", "contacts")
                for file_format in exporting.FORMATS
            ),
            *super().get_urls(),
        ]

    def export_view(self, request, object_id, kind, file_format):
        contacts = kind == "contacts"
        letter = workbench_letter(request, object_id, *export_permissions(contacts=contacts))
        allowed = ["POST"] if contacts else ["GET", "HEAD"]
        if request.method not in allowed:
            return HttpResponseNotAllowed(allowed)

        export = (exporting.contacts_export if contacts else exporting.public_export)(letter)
        # Written whole before it is sent: the export is recorded with the rows it holds, and a
        # delivery list (hundreds, a few thousand rows) is small.
        file = io.BytesIO()
        if file_format == "csv":
            text = io.TextIOWrapper(file, encoding="utf-8", newline="")
            rows = exporting.write_csv(export, text)
            text.detach()  # flushed into the bytes, which stay open
        else:
            rows = exporting.write_xlsx(export, file)
        exporting.record_export(export=export, file_format=file_format, rows=rows, by=request.user)
        response = HttpResponse(file.getvalue(), content_type=exporting.CONTENT_TYPES[file_format])
        response["Content-Disposition"] = f'attachment; filename="{export.filename(file_format)}"'
        return response
