"""Mixed into LetterAdmin: the letter's public life beyond its text. The invite link that lets
partners sign an embargoed letter before its launch (and a new one when it leaked), and the
record of its delivery to its addressee, which closes it and freezes its list."""

from datetime import datetime, time

from django import forms
from django.contrib import messages
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns import services as letter_services
from campaigns.errors import NotDeliverable
from signatories.admin.base import may_work_on, workbench_letter, workbench_page
from signatories.counts import letter_counts
from signatories.models import Signature
from signatories.text import clean_text, refuse_hidden_text

DELIVER_PERMISSION = "campaigns.deliver_letter"
INVITE_PERMISSION = "campaigns.change_letter"


def may_deliver(user, letter) -> bool:
    return (
        letter.is_public
        and not letter.is_delivered
        and may_work_on(user, letter, DELIVER_PERMISSION)
    )


def may_renew_invite(user, letter) -> bool:
    return may_work_on(user, letter, INVITE_PERMISSION)


class DeliverForm(forms.Form):
    delivered_to = forms.CharField(
        label=_("Delivered to"),
        max_length=255,
        help_text=_("Whom the letter was handed to, as it will appear on its page and PDF."),
    )
    delivered_on = forms.DateField(
        label=_("Delivered on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Today, or the day it was handed over."),
    )

    def __init__(self, *args, letter, **kwargs):
        super().__init__(*args, **kwargs)
        self.letter = letter

    def clean_delivered_to(self):
        value = self.cleaned_data["delivered_to"]
        refuse_hidden_text(value, multiline=False)
        return clean_text(value)

    def clean_delivered_on(self):
        day = self.cleaned_data["delivered_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("A delivery cannot be in the future."))
        opened = self.letter.opened_at or self.letter.created_at
        if day < timezone.localtime(opened).date():
            raise forms.ValidationError(_("The letter had not opened yet on that day."))
        return day

    def delivered_at(self):
        """Now for today; otherwise noon of the day given (its time was not asked for)."""
        day = self.cleaned_data["delivered_on"]
        if day == timezone.localdate():
            return timezone.now()
        return timezone.make_aware(datetime.combine(day, time(12)))


class LaunchViews:
    """<letter id>/deliver/ (a form, then the delivery) and <letter id>/invite/renew/ (POST)."""

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<int:object_id>/deliver/",
                self.admin_site.admin_view(self.deliver_view),
                name=f"{prefix}_deliver",
            ),
            path(
                "<int:object_id>/invite/renew/",
                self.admin_site.admin_view(self.renew_invite_view),
                name=f"{prefix}_renew_invite",
            ),
            *super().get_urls(),
        ]

    def deliver_view(self, request, object_id):
        letter = workbench_letter(request, object_id, DELIVER_PERMISSION)
        change_url = reverse("admin:campaigns_letter_change", args=[letter.pk])
        if not letter.is_public or letter.is_delivered:
            self._refuse_delivery(request, letter)
            return HttpResponseRedirect(change_url)
        initial = {"delivered_to": letter.addressee, "delivered_on": timezone.localdate()}
        form = DeliverForm(request.POST or None, initial=initial, letter=letter)
        if request.method == "POST" and form.is_valid():
            try:
                letter = letter_services.letter_deliver(
                    letter=letter, to=form.cleaned_data["delivered_to"], at=form.delivered_at()
                )
            except NotDeliverable:  # delivered (or unpublished) since the form was shown
                self._refuse_delivery(request, letter)
                return HttpResponseRedirect(change_url)
            summary = _("Delivered to %(to)s.") % {"to": letter.delivered_to}
            self.log_change(request, letter, summary)
            self.message_user(
                request,
                _("Delivery recorded. The letter is closed, and its page and PDF say it was "
                  "delivered; its list takes no more names."),
                messages.SUCCESS,
            )  # fmt: skip
            return HttpResponseRedirect(change_url)
        context = {
            "form": form,
            "counts": letter_counts(letter),
            "awaiting_review": Signature.objects.awaiting_review().filter(letter=letter).count(),
        }
        title = _("Record the delivery of the letter")
        return workbench_page(self, request, "deliver.html", letter, title, context)

    def renew_invite_view(self, request, object_id):
        letter = workbench_letter(request, object_id, INVITE_PERMISSION)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        letter_services.letter_new_invite(letter=letter)
        self.log_change(request, letter, _("New invite link."))
        self.message_user(
            request, _("The invite link is new: the old one no longer works."), messages.SUCCESS
        )
        return HttpResponseRedirect(reverse("admin:campaigns_letter_change", args=[letter.pk]))

    def _refuse_delivery(self, request, letter):
        if letter.is_delivered:
            message = _("The letter has already been delivered.")
        else:
            message = _("Only a published letter (open or closed) can be delivered.")
        self.message_user(request, message, messages.ERROR)
