from django.contrib import admin
from django.db.models import Count, OuterRef, Subquery, Sum
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from campaigns.models import CountryCount, Letter
from signatories.models import Signature


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    list_display = [
        "title", "status", "signatories", "awaiting_review", "goal", "closes_at", "opened_at",
    ]  # fmt: skip
    list_filter = ["status", "requires_approval"]
    search_fields = ["title", "slug", "addressee", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "updated_at", "opened_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "addressee", "summary", "body"]}),
        (
            _("Sign-on"),
            {"fields": ["status", "requires_approval", "goal", "closes_at"]},
        ),
        (_("History"), {"fields": ["created_at", "opened_at", "updated_at"]}),
    ]

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

    @admin.display(description=_("signatories"), ordering="approved_total")
    def signatories(self, letter):
        return letter.approved_total or 0

    @admin.display(description=_("awaiting review"), ordering="review_total")
    def awaiting_review(self, letter):
        query = urlencode({"letter__id__exact": letter.pk, "status__exact": "verified"})
        url = f"{reverse('admin:signatories_signature_changelist')}?{query}"
        return format_html('<a href="{}">{}</a>', url, letter.review_total or 0)
