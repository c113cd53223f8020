from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from campaigns.models import Letter


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "requires_approval", "goal", "closes_at", "opened_at"]
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
