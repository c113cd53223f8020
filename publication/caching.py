"""HTTP caching for the public letter pages, JSON and CSV.

Every response is validated by an ETag built from the letter's published_version, which
changes in the same transaction as anything public about the letter, and from the release
(config.release), which changes with the code, templates and assets; a conditional request
is answered 304 before any counting or rendering.
"""

from functools import wraps

from django.http import Http404, JsonResponse
from django.utils import timezone
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
)
from django.utils.translation import get_language

from campaigns.models import Letter
from config.release import release_id

MAX_AGE = 60
STALE_WHILE_REVALIDATE = 300


def letter_etag(letter: Letter, *, dated: bool = False) -> str:
    # The status and the days left are in too: a letter passing its closing date, or a day
    # going by, alters the page with no write to the database. `dated`: for what shows
    # today's date (the PDF of a letter not yet delivered).
    parts = [
        release_id(),
        letter.pk,
        letter.published_version,
        letter.effective_status,
        letter.days_left,
        get_language(),
    ]
    if dated and not letter.is_delivered:
        parts.append(timezone.localdate().isoformat())
    return 'W/"{}"'.format("-".join(str(part) for part in parts))


def public_cache(response):
    patch_cache_control(
        response, public=True, max_age=MAX_AGE, stale_while_revalidate=STALE_WHILE_REVALIDATE
    )
    return response


def public_cache_page(view):
    """Mark a page that is the same for everyone as cacheable."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return public_cache(view(request, *args, **kwargs))

    return wrapper


def may_preview(request, letter: Letter) -> bool:
    """Who sees a draft or embargoed letter's pages, names and invite link before the public:
    superusers and the letter's own organisers, not every staff account."""
    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    return user.is_superuser or letter.organisers.filter(pk=user.pk).exists()


def letter_view(*, json: bool = False, allow_preview: bool = False, dated: bool = False):
    """Decorate a view taking (request, letter): look the letter up by slug, answer 404 for
    drafts and embargoed letters (or show their organisers a preview, never cached), and
    answer conditional requests."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, slug, **kwargs):
            letter = Letter.objects.filter(slug=slug).first()
            preview = letter is not None and not letter.is_public
            if letter is None or (preview and not (allow_preview and may_preview(request, letter))):
                if json:
                    return JsonResponse({"error": "There is no published letter here."}, status=404)
                raise Http404
            if preview:
                response = view(request, letter, preview=True, **kwargs)
                add_never_cache_headers(response)
                return response
            etag = letter_etag(letter, dated=dated)
            response = get_conditional_response(request, etag=etag)
            if response is None:
                response = view(request, letter, **kwargs)
            if getattr(response, "stale_copy", False):
                add_never_cache_headers(response)  # an earlier version, while the new is made
            elif response.status_code in (200, 304):
                response["ETag"] = etag
                public_cache(response)
            return response

        return wrapper

    return decorator
