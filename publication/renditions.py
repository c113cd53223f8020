"""The letter in other forms than its page: the map of its signatories (SVG), its share card
(PNG) and the letter with its annex of signatories (PDF).

Each is made on the server, nothing loaded from elsewhere, and kept in the cache under the
letter's ETag (publication.caching.letter_etag: its published_version, the release and the
language), so it is made once per change of what it shows, and the next approval shows in the
next one. A conditional request with that ETag is answered 304 before anything is read.
"""

import logging
import time

from django.core.cache import cache
from django.http import HttpResponse
from django.utils.text import slugify
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from publication.caching import letter_etag, letter_view
from publication.cards import render_card
from publication.maps import render_map
from publication.pdf import render_letter_pdf
from signatories.counts import letter_counts

logger = logging.getLogger(__name__)

CACHE_SECONDS = 60 * 60 * 24  # never stale (the key changes), only evicted
# A PDF of thousands of signatories takes seconds. When many readers ask for a new version at
# once, one makes it; the others wait a moment for it, then get the last one made (marked
# not to be cached), or, when there is none, a 503 asking them to come back: no worker is held
# for long, however many ask.
LOCK_SECONDS = 120
WAIT_SECONDS = 2
POLL_SECONDS = 0.1
RETRY_AFTER_SECONDS = 10


class Busy(Exception):
    """Another request is making this rendition and there is no earlier one to give."""


def _rendition(
    letter, kind: str, make, *, dated: bool = False, public: bool = True
) -> tuple[bytes, bool]:
    """The rendition for the letter as it is now, and whether it is that (False: the last
    one made, while the current one is being made). Raises Busy. A preview (`public` False)
    is never kept as the last one: readers waiting at the launch would get the draft."""
    key = f"rendition:{kind}:{letter_etag(letter, dated=dated)}"
    last = f"rendition:{kind}:last:{letter.pk}:{get_language()}"
    found = cache.get(key)
    if found is not None:
        return found, True
    lock = f"{key}:making"
    if cache.add(lock, 1, LOCK_SECONDS):
        try:
            made = make()
            cache.set_many({key: made, **({last: made} if public else {})}, CACHE_SECONDS)
            return made, True
        finally:
            cache.delete(lock)
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        found = cache.get(key)
        if found is not None:
            return found, True
    earlier = cache.get(last)
    if earlier is None:
        raise Busy
    return earlier, False


def _respond(content: bytes, fresh: bool, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response.stale_copy = not fresh  # publication.caching: no ETag, not cached
    return response


def _busy() -> HttpResponse:
    message = "This file is being made: try again in a few seconds."
    response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@csrf_exempt  # public files: any other method is a 405, not a 403
@require_safe
@letter_view(allow_preview=True)
def letter_map(request, letter, preview=False):
    try:
        svg, fresh = _rendition(
            letter, "map", lambda: render_map(letter_counts(letter)).encode(), public=not preview
        )
    except Busy:
        return _busy()
    return _respond(svg, fresh, "image/svg+xml; charset=utf-8")


@csrf_exempt
@require_safe
@letter_view(allow_preview=True)
def letter_card(request, letter, preview=False):
    try:
        png, fresh = _rendition(
            letter, "card", lambda: render_card(letter, letter_counts(letter)), public=not preview
        )
    except Busy:
        return _busy()
    return _respond(png, fresh, "image/png")


@csrf_exempt
@require_safe
@letter_view(allow_preview=True, dated=True)
def letter_pdf(request, letter, preview=False):
    try:
        pdf, fresh = _rendition(
            letter, "pdf", lambda: render_letter_pdf(letter), dated=True, public=not preview
        )
    except Busy:
        return _busy()
    except OSError:  # WeasyPrint's system libraries are missing (scripts/pdf-libraries)
        logger.exception("The letter's PDF cannot be made: Pango or its fonts are missing")
        message = "The PDF cannot be made on this server just now; the page has the same text."
        return HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    response = _respond(pdf, fresh, "application/pdf")
    response["Content-Disposition"] = f'inline; filename="{slugify(letter.slug)}.pdf"'
    return response
