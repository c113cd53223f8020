"""The signatures to vet: the review queue, its signals, and the actions that move a
signature through its lifecycle."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django_countries.filters import CountryFilter

from campaigns.models import Letter
from config.forms import RevisionCheckedForm
from signatories import outbox, retention, services, vetting
from signatories.admin.base import LetterScopedAdmin, organised_letters
from signatories.domains import canonical_email
from signatories.errors import (
    LetterDelivered,
    NotAwaitingReview,
    NotPending,
    SignatureError,
    StaleEdit,
)
from signatories.models import Signature, SignatureEvent
from signatories.text import CleanTextFormField, name_for_matching

# Signatures --------------------------------------------------------------------------------------


class SignatureForm(RevisionCheckedForm):
    class Meta:
        model = Signature
        fields = "__all__"

    def clean_contact_email(self):
        email = self.cleaned_data["contact_email"]
        if "contact_email" in self.changed_data:
            taken = Signature.objects.confirmed().filter(
                letter_id=self.instance.letter_id, email_canonical=canonical_email(email)
            )
            if taken.exclude(pk=self.instance.pk).exists():
                raise ValidationError(_("This address has already signed this letter."))
        return email


class SignatureTrail(admin.TabularInline):
    """The signature's trail: every transition and edit, who made it and when."""

    model = SignatureEvent
    verbose_name_plural = _("Trail")
    fields = ["at", "kind", "who", "before", "after", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


ORGANISATION_FIELDS = [
    "letter", "organisation_name", "website", "country", "list_publicly", "hide_country",
    "initiator", "comment", "loaded_revision",
]  # fmt: skip
VETTING_FIELDS = [
    "status", "review_hint", "email_domain_matches", "website_domain", "email_domain",
    "address_kind", "lookalike_domain", "email_canonical", "name_normalised", "name_key",
    "possible_duplicates", "known_to_site", "same_source", "authorised", "consent",
    "reviewed_by", "rejection_reason",
]  # fmt: skip


class OwnLettersCountryFilter(CountryFilter):
    """The countries of the signatures this user may see: django-countries' filter lists those
    of every letter, which would show an organiser where another coalition's signatories are."""

    def lookup_choices(self, changelist):
        shown = changelist.root_queryset.order_by().values_list(self.field_path, flat=True)
        codes = set(shown.distinct())
        for code, name in self.field.get_choices(include_blank=False):
            if code in codes:
                yield code, name


class ReviewFilter(admin.SimpleListFilter):
    title = _("review hint")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return vetting.Level.choices

    def queryset(self, request, queryset):
        if self.value() in dict(vetting.Level.choices):
            return queryset.filter(review_level=self.value())
        return queryset


class DuplicateFilter(admin.SimpleListFilter):
    title = _("possible duplicates")
    parameter_name = "duplicates"

    def lookups(self, request, model_admin):
        return [("yes", _("same website, email domain or name as another of the letter"))]

    def queryset(self, request, queryset):
        return queryset.filter(duplicate_count__gt=0) if self.value() == "yes" else queryset


class SourceFilter(admin.SimpleListFilter):
    title = _("source")
    parameter_name = "source"

    def lookups(self, request, model_admin):
        return [("busy", _("a network with %d or more in the last day") % vetting.BUSY_SOURCE)]

    def queryset(self, request, queryset):
        if self.value() == "busy":
            return queryset.filter(same_source_count__gte=vetting.BUSY_SOURCE)
        return queryset


class RejectForm(forms.Form):
    reason = CleanTextFormField(
        label=_("Reason (optional)"),
        help_text=_("Told to the signatory in the rejection email."),
        max_length=500,
        required=False,
        multiline=True,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
    )


HISTORY_FIELDS = [
    "created_at", "text_version", "confirmed_at", "confirmation_expires_at", "approved_at",
    "rejected_at", "withdrawn_at",
]  # fmt: skip
EMAIL_FIELDS = [
    "email_state", "email_kind", "email_attempts", "email_error", "email_updated_at",
    "email_due_at",
]  # fmt: skip


@admin.register(Signature)
class SignatureAdmin(LetterScopedAdmin):
    form = SignatureForm
    stale_errors = (StaleEdit,)
    refusals = {
        LetterDelivered: _(
            "Not saved: the letter has been delivered, and its list may only show less now "
            "(not named, country private, or withdrawn)."
        )
    }
    inlines = [SignatureTrail]
    list_display = [
        "organisation_name", "country", "letter", "status", "review_hint", "contact_email",
        "website_domain", "email_domain_matches", "lookalike_domain", "duplicates", "known",
        "same_source", "list_publicly", "email_state", "created_at",
    ]  # fmt: skip
    list_filter = [
        ("letter", admin.RelatedOnlyFieldListFilter), "status", ReviewFilter,
        ("country", OwnLettersCountryFilter), "email_domain_matches", "address_kind",
        "lookalike_domain", DuplicateFilter, SourceFilter,
        "email_state", "list_publicly", "initiator",
    ]  # fmt: skip
    search_fields = [
        "organisation_name", "name_normalised", "contact_email", "website_domain", "contact_name",
    ]  # fmt: skip
    list_select_related = ["letter"]
    date_hierarchy = "created_at"
    actions = [
        "approve_signatures", "reject_signatures", "resend_confirmation_email",
        "withdraw_signatures", "discard_unconfirmed", "export_personal_data", "erase_signatures",
    ]  # fmt: skip
    # The lifecycle moves only through the actions, which check each step and send its email.
    readonly_fields = [
        "letter", "status", "review_hint", "email_canonical", "name_normalised", "name_key",
        "website_domain", "email_domain", "address_kind", "email_domain_matches",
        "lookalike_domain", "possible_duplicates", "known_to_site", "same_source",
        "rejection_reason",
        "created_at", "confirmed_at", "approved_at", "rejected_at", "withdrawn_at", "reviewed_by",
        "confirmation_expires_at", "email_state", "email_kind", "email_attempts", "email_error",
        "email_updated_at", "email_due_at", "language", "text_version",
    ]  # fmt: skip
    fieldsets = [
        (_("Organisation"), {"fields": ORGANISATION_FIELDS}),
        (_("Contact"), {"fields": ["contact_name", "contact_role", "contact_email", "language"]}),
        (_("Vetting"), {"fields": VETTING_FIELDS}),
        (_("History"), {"fields": HISTORY_FIELDS}),
        (_("Email delivery"), {"fields": EMAIL_FIELDS}),
    ]

    def get_queryset(self, request):
        return vetting.with_signals(super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        # Also by the normalised name, so "amnesty" finds "Amnésty" and "AMNESTY".
        results, duplicates = super().get_search_results(request, queryset, search_term)
        if search_term:
            folded = queryset.filter(name_normalised__contains=name_for_matching(search_term))
            results = results | folded
        return results, duplicates

    @admin.display(description=_("review hint"), ordering="review_level")
    def review_hint(self, signature):
        return vetting.review_hint(signature)

    @admin.display(description=_("possible duplicates"), ordering="duplicate_count")
    def duplicates(self, signature):
        return signature.duplicate_count

    @admin.display(description=_("approved on other letters"), ordering="known_letters")
    def known(self, signature):
        return signature.known_letters

    @admin.display(description=_("from its network, 24 h"), ordering="same_source_count")
    def same_source(self, signature):
        return signature.same_source_count

    @admin.display(description=_("possible duplicates in this letter"))
    def possible_duplicates(self, signature):
        found = vetting.possible_duplicates(signature)
        return (
            format_html_join(
                ", ",
                '<a href="{}">#{} {} ({})</a>: {}',
                (
                    (
                        reverse("admin:signatories_signature_change", args=[match.signature.pk]),
                        match.signature.pk,
                        match.signature.organisation_name,
                        match.signature.get_status_display(),
                        ", ".join(match.reasons),
                    )
                    for match in found
                ),
            )
            or "—"
        )

    @admin.display(description=_("known to this site"))
    def known_to_site(self, signature):
        # Only how many: another coalition's signatories are named only to its organisers.
        viewer = getattr(signature, "viewer", None)
        letters = organised_letters(viewer) if viewer is not None else Letter.objects.none()
        count, visible = vetting.known_elsewhere(signature, letters)
        text = ngettext_lazy(
            "Approved on %(count)d other letter.", "Approved on %(count)d other letters.", count
        ) % {"count": count}
        if not visible:
            return text
        links = format_html_join(
            ", ",
            '<a href="{}">#{} {} ({})</a>',
            (
                (
                    reverse("admin:signatories_signature_change", args=[other.pk]),
                    other.pk,
                    other.organisation_name,
                    other.letter,
                )
                for other in visible
            ),
        )
        return format_html("{} {}", text, links)

    def get_readonly_fields(self, request, obj=None):
        # A mistyped address can be corrected while its link is awaited (a fresh link goes to
        # the corrected one); once confirmed, the address is the one that was verified.
        if obj is not None and obj.status == Signature.Status.PENDING:
            return self.readonly_fields
        return [*self.readonly_fields, "contact_email"]

    def save_model(self, request, obj, form, change):
        services.signature_edit_by_staff(
            signature=obj,
            changes=form.changes(),
            revision=form.cleaned_data["loaded_revision"],
            by=request.user,
        )

    def has_add_permission(self, request):
        return False  # signatures arrive through the sign form, which verifies the address

    def has_delete_permission(self, request, obj=None):
        return False  # withdraw instead: the history of who signed must survive

    def get_object(self, request, object_id, from_field=None):
        # The change page's "known to this site" links only to letters the viewer organises.
        found = super().get_object(request, object_id, from_field)
        if found is not None:
            found.viewer = request.user
        return found

    def changelist_view(self, request, extra_context=None):
        self._warn_of_mail_configuration(request)
        return super().changelist_view(request, extra_context)

    def _warn_of_mail_configuration(self, request):
        """A wrong mail set-up fails every email: say so where organisers look, once a page."""
        failing = (
            Signature.objects.filter(
                email_state=Signature.EmailState.FAILED,
                email_error__startswith=outbox.CONFIGURATION_PROBLEM,
                email_updated_at__gte=timezone.now() - timedelta(days=1),
            )
            .order_by("-email_updated_at")
            .values_list("email_error", flat=True)
            .first()
        )
        if failing and request.method == "GET":
            self.message_user(
                request,
                _(
                    "Emails cannot be sent because of the site's mail settings (%(error)s). "
                    "Ask whoever runs the site to fix EMAIL_URL, then resend the failed emails."
                )
                % {"error": failing},
                messages.WARNING,
            )

    def _apply(self, request, queryset, service, *, done, refused, refusable):
        """Run `service` on each selected signature; report what was done and what refused.
        Each service writes the signature's trail."""
        applied, refused_signatures = 0, []
        for signature in queryset:
            try:
                service(signature)
            except refusable as error:
                refused_signatures.append(error.signature or signature)
            else:
                applied += 1
        if applied:
            self.message_user(request, done % applied, messages.SUCCESS)
        if refused_signatures:
            names = ", ".join(
                f"{s.organisation_name} ({s.get_status_display()})" for s in refused_signatures
            )
            self.message_user(
                request, f"{refused % len(refused_signatures)} {names}", messages.ERROR
            )

    @admin.action(description=_("Approve selected signatures"), permissions=["change"])
    def approve_signatures(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda signature: services.signature_approve(signature=signature, by=request.user),
            done=ngettext_lazy("Approved %d signature.", "Approved %d signatures."),
            refused=ngettext_lazy(
                "%d signature was not approved: it is not awaiting review.",
                "%d signatures were not approved: they are not awaiting review.",
            ),
            refusable=NotAwaitingReview,
        )

    @admin.action(description=_("Reject selected signatures"), permissions=["change"])
    def reject_signatures(self, request, queryset):
        # First a page that asks for the reason to tell the signatories (optional).
        form = RejectForm(request.POST if request.POST.get("confirm") == "yes" else None)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "signatures": queryset,
                "form": form,
                "opts": self.model._meta,
                "action": "reject_signatures",
                "title": _("Reject signatures"),
            }
            return TemplateResponse(request, "admin/signatories/reject_confirmation.html", context)
        reason = form.cleaned_data["reason"]
        self._apply(
            request,
            queryset,
            lambda signature: services.signature_reject(
                signature=signature, by=request.user, reason=reason
            ),
            done=ngettext_lazy("Rejected %d signature.", "Rejected %d signatures."),
            refused=ngettext_lazy(
                "%d signature was not rejected: it is not awaiting review.",
                "%d signatures were not rejected: they are not awaiting review.",
            ),
            refusable=NotAwaitingReview,
        )
        return None

    @admin.action(description=_("Resend confirmation email"), permissions=["change"])
    def resend_confirmation_email(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda signature: services.signature_resend_confirmation(
                signature=signature, by=request.user
            ),
            done=ngettext_lazy(
                "Sent a fresh confirmation link for %d signature.",
                "Sent fresh confirmation links for %d signatures.",
            ),
            refused=ngettext_lazy(
                "%d signature was skipped: it is no longer awaiting confirmation.",
                "%d signatures were skipped: they are no longer awaiting confirmation.",
            ),
            refusable=NotPending,
        )

    @admin.action(
        description=_("Discard unconfirmed submissions (a flood)"), permissions=["change"]
    )
    def discard_unconfirmed(self, request, queryset):
        discarded = []

        def discard(signature):
            discarded.append(services.signature_discard(signature=signature, by=request.user))

        self._apply(
            request,
            queryset,
            discard,
            done=ngettext_lazy(
                "Discarded %d unconfirmed submission.", "Discarded %d unconfirmed submissions."
            ),
            refused=ngettext_lazy(
                "%d signature was not discarded: it is confirmed (reject or withdraw it).",
                "%d signatures were not discarded: they are confirmed (reject or withdraw them).",
            ),
            refusable=NotPending,
        )
        if discarded:
            # Their trails go with them; the admin's history keeps that they were discarded,
            # and by whom.
            self.log_deletions(request, discarded)

    @admin.action(description=_("Export the data held (for the signatory)"), permissions=["view"])
    def export_personal_data(self, request, queryset):
        signatures = list(queryset.select_related("letter").prefetch_related("events"))
        self._log(request, signatures, CHANGE, "Exported the data held, for the signatory")
        response = JsonResponse(
            [retention.personal_data(signature) for signature in signatures],
            safe=False,
            json_dumps_params={"ensure_ascii": False, "indent": 2},
        )
        response["Content-Disposition"] = 'attachment; filename="signature-data.json"'
        return response

    @admin.action(
        description=_("Erase selected signatures and their data (the signatory asked)"),
        permissions=["change"],
    )
    def erase_signatures(self, request, queryset):
        if request.POST.get("confirm") != "yes":  # irreversible: say what will go, and ask
            context = {
                **self.admin_site.each_context(request),
                "signatures": queryset,
                "opts": self.model._meta,
                "action": "erase_signatures",
                "title": _("Erase signatures"),
            }
            return TemplateResponse(request, "admin/signatories/erase_confirmation.html", context)
        erased = [
            services.signature_erase(signature=signature, by=request.user) for signature in queryset
        ]
        # The rows and their trails are gone; this record names no one (numbers only).
        self._log(request, erased, DELETION, "Erased with its data, at the signatory's request")
        self.message_user(
            request,
            ngettext_lazy("Erased %d signature.", "Erased %d signatures.", len(erased))
            % len(erased),
            messages.SUCCESS,
        )
        return None

    def _log(self, request, signatures, flag, message):
        content_type = ContentType.objects.get_for_model(Signature)
        LogEntry.objects.bulk_create(
            LogEntry(
                user=request.user,
                content_type=content_type,
                object_id=str(signature.pk),
                object_repr=f"signature #{signature.pk}",
                action_flag=flag,
                change_message=message,
            )
            for signature in signatures
        )

    @admin.action(description=_("Withdraw selected signatures"), permissions=["change"])
    def withdraw_signatures(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda signature: services.signature_withdraw_by_staff(
                signature=signature, by=request.user
            ),
            done=ngettext_lazy("Withdrew %d signature.", "Withdrew %d signatures."),
            refused=ngettext_lazy(
                "%d signature was not withdrawn: only confirmed signatures can be.",
                "%d signatures were not withdrawn: only confirmed signatures can be.",
            ),
            refusable=SignatureError,
        )
