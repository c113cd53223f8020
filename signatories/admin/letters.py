"""The letter's admin page: its text and settings, its organisers, and its sign-on's progress."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Subquery, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape, format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from campaigns import errors as letter_errors
from campaigns import languages
from campaigns import services as letter_services
from campaigns.forms import LetterForm
from campaigns.models import Letter
from config.site import absolute_url
from signatories.admin.base import LetterScopedAdmin
from signatories.admin.dashboard import DashboardViews
from signatories.admin.exporting import ExportViews
from signatories.admin.importing import ImportViews
from signatories.admin.launch import LaunchViews
from signatories.admin.updates import UpdateViews
from signatories.models import CountryCount, Signature

LETTER_SIGN_ON_FIELDS = [
    "status", "requires_approval", "goal", "closes_at", "contact_email",
    "hide_unnamed_countries", "always_challenge",
]  # fmt: skip
LETTER_HISTORY_FIELDS = [
    "created_at", "opened_at", "closed_at", "delivery", "text_versions", "updated_at",
]  # fmt: skip


@admin.register(Letter)
class LetterAdmin(
    DashboardViews, ImportViews, ExportViews, UpdateViews, LaunchViews, LetterScopedAdmin
):
    # The workbench (dashboard, import, export, updates) lives in its own modules, each a
    # mixin adding its pages; the change page shows them through change_form.html's blocks.
    form = LetterForm
    letter_path = ""
    stale_errors = (
        letter_errors.StaleEdit, letter_errors.SlugLocked, letter_errors.LanguageLocked,
    )  # fmt: skip
    refusals = {
        letter_errors.DeliveredLetter: _(
            "Not saved: the letter has been delivered; its text, addressee and status stay as "
            "delivered."
        )
    }
    list_display = [
        "title", "status", "signatories", "awaiting_review", "goal", "closes_at", "opened_at",
    ]  # fmt: skip
    list_filter = ["status", "requires_approval"]
    search_fields = [
        *(languages.localized("title", code) for code in languages.codes()), "slug", "addressee",
    ]  # fmt: skip
    date_hierarchy = "created_at"
    filter_horizontal = ["organisers"]

    def get_fieldsets(self, request, obj=None):
        # One section per language; those without a text are folded away, but for the
        # authoritative one, so the form opens on the texts that exist.
        texts = [
            (
                _("Text in %(language)s") % {"language": languages.name_of(code)},
                {
                    "fields": languages.text_field_names(code),
                    "classes": [] if self._has_text(obj, code) else ["collapse"],
                },
            )
            for code in languages.codes()
        ]
        return [
            (None, {"fields": ["language", "slug", "addressee", "loaded_revision"]}),
            *texts,
            (_("Sign-on"), {"fields": LETTER_SIGN_ON_FIELDS}),
            (_("Organisers"), {"fields": ["organisers"]}),
            (_("Sharing"), {"fields": ["invite_link", "embed_snippet"]}),
            (_("History"), {"fields": LETTER_HISTORY_FIELDS}),
        ]

    @staticmethod
    def _has_text(letter, code) -> bool:
        if letter is None:
            return code == Letter._meta.get_field("language").default
        return code == letter.language or letter.has_text_in(code)

    class Media:
        js = ["js/copy.js"]

    def get_readonly_fields(self, request, obj=None):
        readonly = [
            "created_at", "updated_at", "opened_at", "closed_at", "delivery", "text_versions",
            "invite_link", "embed_snippet",
        ]  # fmt: skip
        if obj is not None and obj.slug_locked:
            # Emailed and published links name the slug; signers signed the authoritative
            # language's text, which the versions record.
            readonly += ["slug", "language"]
        return readonly

    def get_prepopulated_fields(self, request, obj=None):
        if obj is not None and obj.slug_locked:
            return {}
        return {"slug": [languages.localized("title", Letter._meta.get_field("language").default)]}

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "organisers":  # only people who can sign in to the admin
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            letter_services.letter_update(
                letter=obj,
                changes=form.changes(),
                revision=form.cleaned_data["loaded_revision"],
                by=request.user,
            )
        else:
            letter_services.letter_create(
                letter=obj,
                organisers=form.cleaned_data.get("organisers", ()),
                created_by=request.user,
            )

    def save_related(self, request, form, formsets, change):
        # The organisers were saved by the service, with the rest of the form (and whoever
        # created the letter among them): the form's own many-to-many save would undo that.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def get_queryset(self, request):
        # Organisers' progress at a glance: approved from the maintained counts, the review
        # queue from the signatures (an admin page, not a public one).
        per_letter = {"letter": OuterRef("pk")}
        approved = CountryCount.objects.filter(**per_letter).values("letter")
        review = Signature.objects.awaiting_review().filter(**per_letter).values("letter")
        return (
            super()
            .get_queryset(request)
            .annotate(
                approved_total=Subquery(approved.annotate(n=Sum("signatories")).values("n")),
                review_total=Subquery(review.annotate(n=Count("pk")).values("n")),
            )
        )

    @admin.display(description=_("invite link"))
    def invite_link(self, letter):
        """The sign form's address that works during the embargo: for partners who sign
        before the launch. "New invite link" (above) makes the old one stop working."""
        if letter.pk is None:
            return "—"
        return format_html(
            '<input type="text" readonly id="invite-link" class="vTextField" value="{}"> '
            '<button type="button" class="button" data-copy="invite-link">{}</button>'
            '<div class="help">{}</div>',
            absolute_url(letter.get_invite_url()),
            _("Copy"),
            _("While the letter is embargoed, only this address shows its sign form. Anyone "
              "who has it can sign (each signature is still confirmed by email and reviewed)."),
        )  # fmt: skip

    @admin.display(description=_("delivered"))
    def delivery(self, letter):
        if not letter.is_delivered:
            return "—"
        return _("%(date)s, to %(to)s") % {
            "date": date_format(timezone.localtime(letter.delivered_at), "DATETIME_FORMAT"),
            "to": letter.delivered_to,
        }

    @admin.display(description=_("text versions"))
    def text_versions(self, letter):
        """Each text signers have seen, when it was recorded and by whom (the public versions
        page shows the texts and what changed, never who)."""
        versions = list(letter.versions.select_related("created_by").order_by("-number"))
        if not versions:
            return _("None yet: the first is recorded when the letter takes signatures.")
        return format_html_join(
            "",
            "<div>{} {} · {} · {}</div>",
            (
                (
                    _("Version"),
                    version.number,
                    date_format(timezone.localtime(version.created_at), "DATETIME_FORMAT"),
                    version.created_by.get_username() if version.created_by else "—",
                )
                for version in versions
            ),
        )

    @admin.display(description=_("counter for other sites"))
    def embed_snippet(self, letter):
        """The HTML partners paste to show the live counts on their pages (the embed page is
        the only one other sites may frame)."""
        if letter.pk is None:
            return "—"
        url = absolute_url(reverse("publication:letter_embed", kwargs={"slug": letter.slug}))
        snippet = (
            f'<iframe src="{url}" title="{escape(letter.title)}" width="360" height="220" '
            'style="border:0" loading="lazy"></iframe>'
        )
        return format_html(
            '<textarea readonly id="embed-snippet" class="vLargeTextField" rows="3">{}</textarea>'
            ' <button type="button" class="button" data-copy="embed-snippet">{}</button>'
            '<div class="help">{}</div>',
            snippet,
            _("Copy"),
            _("Copy this into a page of another site: it shows the counts and a link to sign."),
        )

    @admin.display(description=_("signatories"), ordering="approved_total")
    def signatories(self, letter):
        return letter.approved_total or 0

    @admin.display(description=_("awaiting review"), ordering="review_total")
    def awaiting_review(self, letter):
        query = urlencode({"letter__id__exact": letter.pk, "status__exact": "verified"})
        url = f"{reverse('admin:signatories_signature_changelist')}?{query}"
        return format_html('<a href="{}">{}</a>', url, letter.review_total or 0)
