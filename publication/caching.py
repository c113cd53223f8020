"""HTTP caching for the public letter pages, JSON and CSV.

Every response is validated by an ETag built from the letter's published_version, which
changes in the same transaction as anything public about the letter, and from the release
(config.release), which changes with the code, templates and assets; a conditional request
is answered 304 before any counting or rendering.
"""

from functools import wraps

from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
)
from django.utils.translation import get_language

from campaigns.models import Letter
from config.kept_responses import NEUTRAL_PARAMETERS, keep
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
        # Any save of the row, even one that bypasses the services (a shell, a data fix).
        letter.updated_at.timestamp() if letter.updated_at else 0,
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


RESPONSE_SECONDS = 60 * 60  # never stale (the ETag is in the key), only evicted


def letter_view(
    *,
    json: bool = False,
    allow_preview: bool = False,
    dated: bool = False,
    whole_response: bool = False,
):
    """Decorate a view taking (request, letter): look the letter up by slug, answer 404 for
    drafts and embargoed letters (or show their organisers a preview, never cached), and
    answer conditional requests.

    `whole_response`: the response is the same for every reader of the address; it is kept
    (config.kept_responses) and given as it is to the next readers: at a launch thousands
    read the page between two changes, and one render serves them all. Only for addresses
    without a query but `v` (not a search, a page of the list: readers could vary those
    without end).
    It is also kept under the letter's ETag: a change to another letter makes every kept
    response render anew, and this one is then made without rendering."""

    def decorator(view):
        whole = _with_whole_letter(view)

        @wraps(view)
        def wrapper(request, slug, **kwargs):
            # What the ETag needs, first: a kept response or a 304 needs nothing more.
            letter = _etag_fields(slug)
            preview = letter is not None and not letter.is_public
            if letter is None or (preview and not (allow_preview and may_preview(request, letter))):
                if json:
                    return JsonResponse({"error": "There is no published letter here."}, status=404)
                raise Http404
            if preview:
                response = whole(request, letter, preview=True, **kwargs)
                add_never_cache_headers(response)
                return response
            # Read before the page: one made as the letter closes or a day ticks is kept no
            # longer than the clock allowed when its data was read.
            until = letter.clock_changes_at()
            etag = letter_etag(letter, dated=dated)
            response = get_conditional_response(request, etag=etag)
            if response is None and whole_response and set(request.GET) <= NEUTRAL_PARAMETERS:
                response = _kept_response(f"response:{request.path}:{etag}", whole, request, letter)
            if response is None:
                response = whole(request, letter, **kwargs)
            if getattr(response, "stale_copy", False):
                add_never_cache_headers(response)  # an earlier version, while the new is made
            elif response.status_code in (200, 304):
                response["ETag"] = etag
                public_cache(response)
                if whole_response and set(request.GET) <= NEUTRAL_PARAMETERS:
                    keep(response, until=until)
            return response

        return wrapper

    return decorator


# The letter's fields letter_etag and letter_view read.
ETAG_FIELDS = [
    "id", "slug", "status", "closes_at", "published_version", "updated_at", "delivered_at",
]  # fmt: skip


def _etag_fields(slug: str) -> Letter | None:
    """The letter with only ETAG_FIELDS loaded, by a query written out: compiling it through
    the ORM took a third of a kept page's time (bench/README.md)."""
    columns = ", ".join(Letter._meta.get_field(name).column for name in ETAG_FIELDS)
    query = f"SELECT {columns} FROM {Letter._meta.db_table} WHERE slug = %s"  # noqa: S608
    return next(iter(Letter.objects.raw(query, [slug])), None)


def _with_whole_letter(view):
    """The view gets the letter with all its fields (one query), not the few of the ETag."""

    @wraps(view)
    def whole(request, letter, **kwargs):
        return view(request, Letter.objects.get(pk=letter.pk), **kwargs)

    return whole


def _kept_response(key: str, view, request, letter) -> HttpResponse:
    kept = cache.get(key)
    if kept is not None:
        content, content_type = kept
        return HttpResponse(content, content_type=content_type)
    response = view(request, letter)
    if response.status_code == 200 and not getattr(response, "stale_copy", False):
        cache.set(key, (response.content, response["Content-Type"]), RESPONSE_SECONDS)
    return response
