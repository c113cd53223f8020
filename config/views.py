"""Views that belong to the site as a whole rather than to one app."""

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control, never_cache

logger = logging.getLogger(__name__)


@never_cache
def healthz(request):
    """200 when the database answers a query, 503 otherwise: for load balancers and monitors."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database did not answer")
        return JsonResponse({"status": "unavailable", "database": "error"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's)."""
    return redirect(static("favicon.svg"), permanent=True)


@cache_control(public=True, max_age=60)
def privacy(request):
    """The privacy notice, with the site's own controller, contact and retention periods."""
    context = {
        "controller": settings.PRIVACY_CONTROLLER,
        "contact": settings.CONTACT_EMAIL,
        "source_days": settings.PRIVACY_SOURCE_DAYS,
        "unconfirmed_days": settings.PRIVACY_UNCONFIRMED_DAYS,
        "contact_months": settings.PRIVACY_CONTACT_MONTHS,
        "processors": settings.PRIVACY_PROCESSORS,
    }
    return render(request, "privacy.html", context)


def not_found(request, exception=None):
    """404: JSON under /api/ (clients there read JSON, whatever the address), else the page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": "There is nothing at this address."}, status=404)
    return render(request, "404.html", status=404)
