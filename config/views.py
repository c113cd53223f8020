"""Views that belong to the site as a whole rather than to one app."""

import logging

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control, never_cache

from signatories import outbox

logger = logging.getLogger(__name__)


@never_cache
def healthz(request):
    """The state of each part, for monitors: 200 when all is well, 503 when a part is "error".

    With ?ready, only what a request needs (the database), for load balancers deciding where
    to send traffic.
    """
    parts = {"database": _database()}
    if "ready" not in request.GET:
        parts["broker"] = _broker()
        if parts["database"] == "ok":
            parts.update(outbox.health())
    failing = "error" in parts.values()
    return JsonResponse(
        {"status": "error" if failing else "ok", **parts}, status=503 if failing else 200
    )


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database did not answer")
        return "error"
    return "ok"


def _broker() -> str:
    if settings.EMAIL_JOBS != "celery" or settings.CELERY_TASK_ALWAYS_EAGER:
        return "not configured"  # the embedded default: emails go from a thread of this process
    try:
        client = redis.Redis.from_url(
            settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1
        )
        client.ping()
    except (redis.RedisError, OSError):
        logger.warning("Health check: the broker did not answer")
        return "error"
    return "ok"


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
    return render(request, "404.html", {"language_path": "/"}, status=404)
