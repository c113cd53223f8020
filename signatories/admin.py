from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django_countries.filters import CountryFilter

from signatories import services
from signatories.errors import NotAwaitingReview, NotPending, SignatureError
from signatories.models import Signature


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = [
        "organisation_name", "country", "letter", "status", "email_domain_matches",
        "list_publicly", "initiator", "email_state", "created_at",
    ]  # fmt: skip
    list_filter = [
        "letter", "status", ("country", CountryFilter), "email_domain_matches", "email_state",
        "list_publicly", "initiator",
    ]  # fmt: skip
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    search_fields = ["organisation_name", "contact_email", "website_domain", "contact_name"]
    list_select_related = ["letter"]
    date_hierarchy = "created_at"
    actions = [
        "approve_signatures", "reject_signatures", "resend_confirmation_email",
        "withdraw_signatures",
    ]  # fmt: skip
    # The lifecycle moves only through the actions, which check each step and send its email;
    # the contact address is the one that was verified, so it is not edited either.
    readonly_fields = [
        "letter", "status", "email_canonical", "website_domain", "email_domain_matches",
        "created_at", "confirmed_at", "approved_at", "rejected_at", "withdrawn_at", "reviewed_by",
        "confirmation_expires_at", "email_state", "email_kind", "email_attempts", "email_error",
        "email_updated_at", "language", "contact_email",
    ]  # fmt: skip
    fieldsets = [
        (
            _("Organisation"),
            {
                "fields": [
                    "letter",
                    "organisation_name",
                    "website",
                    "country",
                    "list_publicly",
                    "initiator",
                    "comment",
                ]
            },
        ),
        (_("Contact"), {"fields": ["contact_name", "contact_role", "contact_email", "language"]}),
        (
            _("Vetting"),
            {
                "fields": [
                    "status",
                    "email_domain_matches",
                    "website_domain",
                    "email_canonical",
                    "authorised",
                    "consent",
                    "reviewed_by",
                ]
            },
        ),
        (
            _("History"),
            {
                "fields": [
                    "created_at",
                    "confirmed_at",
                    "confirmation_expires_at",
                    "approved_at",
                    "rejected_at",
                    "withdrawn_at",
                ]
            },
        ),
        (
            _("Email delivery"),
            {
                "fields": [
                    "email_state",
                    "email_kind",
                    "email_attempts",
                    "email_error",
                    "email_updated_at",
                ]
            },
        ),
    ]

    def save_model(self, request, obj, form, change):
        services.signature_edit_by_staff(signature=obj, changed=form.changed_data)

    def has_add_permission(self, request):
        return False  # signatures arrive through the sign form, which verifies the address

    def has_delete_permission(self, request, obj=None):
        return False  # withdraw instead: the history of who signed must survive

    def _apply(self, request, queryset, service, *, done, refused, refusable):
        """Run `service` on each selected signature; report what was done and what refused."""
        applied, refused_signatures = 0, []
        for signature in queryset:
            try:
                changed = service(signature)
            except refusable as error:
                refused_signatures.append(error.signature or signature)
            else:
                applied += 1
                # The admin's history of the signature: who did what, and when.
                self.log_change(request, changed, changed.get_status_display())
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
        self._apply(
            request,
            queryset,
            lambda signature: services.signature_reject(signature=signature, by=request.user),
            done=ngettext_lazy("Rejected %d signature.", "Rejected %d signatures."),
            refused=ngettext_lazy(
                "%d signature was not rejected: it is not awaiting review.",
                "%d signatures were not rejected: they are not awaiting review.",
            ),
            refusable=NotAwaitingReview,
        )

    @admin.action(description=_("Resend confirmation email"), permissions=["change"])
    def resend_confirmation_email(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda signature: services.signature_resend_confirmation(signature=signature),
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
