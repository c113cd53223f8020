"""The letter's updates to its signatories in the admin (mixed into LetterAdmin): compose
(subject, Markdown body) → preview as a signer will read it → send a test to yourself → send,
after a confirmation step; each update's page shows its progress while it goes.

Every page checks the permission to send updates and that the user organises the letter.
"""

from csp.constants import NONE, SELF
from csp.decorators import csp_replace
from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin

from campaigns.models import Letter
from signatories import updates
from signatories.admin.base import may_work_on, workbench_letter, workbench_page
from signatories.models import Update

# While an update goes out, its page reloads itself this often (seconds).
REFRESH_SECONDS = 3


UPDATE_PERMISSION = "signatories.send_update"


def may_send_updates(user, letter) -> bool:
    return may_work_on(user, letter, UPDATE_PERMISSION)


class UpdateForm(forms.ModelForm):
    class Meta:
        model = Update
        fields = ["subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 16, "class": "vLargeTextField"})}
        help_texts = {
            "body": _(
                "Markdown: **bold**, *italic*, [a link](https://example.org), lists, headings "
                "(##). Each signatory's email adds the letter's link and their withdraw link."
            )
        }


# The email's HTML part, shown in a sandboxed frame of the preview: its inline styles are
# allowed there and nothing else is loaded (no script, no remote image).
EMAIL_PREVIEW_POLICY = {
    "default-src": [NONE],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["data:"],
    "frame-ancestors": [SELF],
}


@xframe_options_sameorigin
@csp_replace(EMAIL_PREVIEW_POLICY)
def _email_document(html: str) -> HttpResponse:
    return HttpResponse(html)


class UpdateViews:
    """Mixed into LetterAdmin: the updates' pages at <letter id>/updates/…, and the list of the
    letter's updates with their progress on its change page."""

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}_update"

        def view(function, suffix, route):
            return path(route, self.admin_site.admin_view(function), name=f"{prefix}_{suffix}")

        return [
            view(self.update_compose_view, "new", "<int:object_id>/updates/new/"),
            view(self.update_detail_view, "detail", "<int:object_id>/updates/<int:update_id>/"),
            view(self.update_compose_view, "edit", "<int:object_id>/updates/<int:update_id>/edit/"),
            view(
                self.update_email_view,
                "email",
                "<int:object_id>/updates/<int:update_id>/email.html",
            ),
            view(self.update_test_view, "test", "<int:object_id>/updates/<int:update_id>/test/"),
            view(self.update_send_view, "send", "<int:object_id>/updates/<int:update_id>/send/"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["letter_updates"] = updates.with_progress(obj.updates.order_by("-created_at"))
            context["may_send_updates"] = may_send_updates(request.user, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    # The pages ---------------------------------------------------------------------------------

    def update_compose_view(self, request, object_id, update_id=None):
        letter = self._updates_letter(request, object_id)
        update = self._updates_get(letter, update_id) if update_id else None
        if update is not None and update.status != Update.Status.DRAFT:
            return HttpResponseRedirect(self._updates_url("detail", letter, update))
        form = UpdateForm(request.POST or None, instance=update)
        if request.method == "POST" and form.is_valid():
            fields = {"subject": form.cleaned_data["subject"], "body": form.cleaned_data["body"]}
            try:
                if update is None:
                    update = updates.update_create(letter=letter, by=request.user, **fields)
                else:
                    update = updates.update_edit(update=update, **fields)
            except updates.NotADraft:
                self.message_user(request, _("This update was sent already."), messages.ERROR)
            return HttpResponseRedirect(self._updates_url("detail", letter, update))
        title = _("Edit the update") if update else _("Write an update to the signatories")
        return self._updates_render(
            request, "update_form.html", letter, title, form=form, update=update
        )

    def update_detail_view(self, request, object_id, update_id):
        letter = self._updates_letter(request, object_id)
        update = self._updates_get(letter, update_id, progress=True)
        if update.status == Update.Status.SENDING and settings.EMAIL_JOBS == "thread":
            # No beat on the embedded default: watching the update picks up what a restart
            # of the server cut short.
            updates.sweep()
        context = {
            "update": update,
            "recipients": updates.recipients(letter).count(),
            "refresh": REFRESH_SECONDS if update.status == Update.Status.SENDING else None,
        }
        if update.status == Update.Status.DRAFT:
            context["preview"] = updates.update_preview(update=update)
        return self._updates_render(
            request, "update_detail.html", letter, update.subject, **context
        )

    def update_email_view(self, request, object_id, update_id):
        letter = self._updates_letter(request, object_id)
        update = self._updates_get(letter, update_id)
        return _email_document(updates.update_preview(update=update).html)

    def update_test_view(self, request, object_id, update_id):
        letter = self._updates_letter(request, object_id)
        update = self._updates_get(letter, update_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.email:
            self.message_user(
                request, _("Your account has no email address to send the test to."), messages.ERROR
            )
        else:
            try:
                updates.update_send_test(update=update, to=request.user.email)
            except Exception as error:  # the mail server refused or is away: say so
                self.message_user(
                    request,
                    _("The test could not be sent: %(error)s")
                    % {"error": updates.describe_failure(error)},
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    _("A test was sent to %(email)s.") % {"email": request.user.email},
                    messages.SUCCESS,
                )
        return HttpResponseRedirect(self._updates_url("detail", letter, update))

    def update_send_view(self, request, object_id, update_id):
        letter = self._updates_letter(request, object_id)
        update = self._updates_get(letter, update_id)
        if update.status != Update.Status.DRAFT:
            return HttpResponseRedirect(self._updates_url("detail", letter, update))
        if request.method == "POST":
            try:
                count = updates.update_send(update=update, by=request.user)
            except updates.NotADraft:
                self.message_user(request, _("This update was sent already."), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("Sending the update to %(count)d signatories.") % {"count": count},
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(self._updates_url("detail", letter, update))
        context = {"update": update, "recipients": updates.recipients(letter).count()}
        title = _("Send the update?")
        return self._updates_render(request, "update_confirm_send.html", letter, title, **context)

    # Helpers -----------------------------------------------------------------------------------

    def _updates_letter(self, request, object_id) -> Letter:
        return workbench_letter(request, object_id, UPDATE_PERMISSION)

    def _updates_get(self, letter, update_id, *, progress=False) -> Update:
        found = letter.updates.all()
        if progress:
            found = updates.with_progress(found)
        return get_object_or_404(found, pk=update_id)

    def _updates_url(self, name, letter, update) -> str:
        prefix = f"admin:{self.opts.app_label}_{self.opts.model_name}_update"
        return reverse(f"{prefix}_{name}", args=[letter.pk, update.pk])

    def _updates_render(self, request, template, letter, title, **context):
        return workbench_page(self, request, template, letter, title, context)
