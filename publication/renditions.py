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
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from publication.caching import letter_etag, letter_view
from publication.cards import render_card
from publication.maps import render_map
from publication.pdf import render_letter_pdf
from signatories.counts import letter_counts

logger = logging.getLogger(__name__)

CACHE_SECONDS = 60 * 60 * 24  # never stale (the key changes), only evicted
# A PDF of thousands of signatories takes seconds: when many readers ask for a new version at
# once, one makes it and the others wait for it (up to WAIT_SECONDS, then make their own).
LOCK_SECONDS = 60
WAIT_SECONDS = 30
POLL_SECONDS = 0.1


def _rendition(letter, kind: str, make) -> bytes:
    key = f"rendition:{kind}:{letter_etag(letter)}"
    found = cache.get(key)
    if found is not None:
        return found
    lock = f"{key}:making"
    if cache.add(lock, 1, LOCK_SECONDS):
        try:
            made = make()
            cache.set(key, made, CACHE_SECONDS)
            return made
        finally:
            cache.delete(lock)
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        found = cache.get(key)
        if found is not None:
            return found
        if cache.get(lock) is None:  # its maker failed: make it here
            break
    return make()


@csrf_exempt  # public files: any other method is a 405, not a 403
@require_safe
@letter_view(allow_preview=True)
def letter_map(request, letter, preview=False):
    svg = _rendition(letter, "map", lambda: render_map(letter_counts(letter)).encode())
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


@csrf_exempt
@require_safe
@letter_view(allow_preview=True)
def letter_card(request, letter, preview=False):
    png = _rendition(letter, "card", lambda: render_card(letter, letter_counts(letter)))
    return HttpResponse(png, content_type="image/png")


@csrf_exempt
@require_safe
@letter_view(allow_preview=True)
def letter_pdf(request, letter, preview=False):
    try:
        pdf = _rendition(letter, "pdf", lambda: render_letter_pdf(letter))
    except OSError:  # WeasyPrint's system libraries are missing (scripts/pdf-libraries)
        logger.exception("The letter's PDF cannot be made: Pango or its fonts are missing")
        message = "The PDF cannot be made on this server just now; the page has the same text."
        return HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{slugify(letter.slug)}.pdf"'
    return response
