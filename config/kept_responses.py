"""Public pages answered from the cache before the rest of the middleware and any query.

At a launch thousands of readers ask for the same few addresses (the letter page, its JSON, the
home page) between two changes. A view that makes a page the same for every reader of its
address marks the response with `keep`; the middleware stores it as the whole stack finished
it (headers included) and gives it to the next readers of that address with one cache round
trip: no session, no user, no database.

What makes a kept response stale, and how each is caught:
- Anything public changing in the database: every such write calls `public_pages_changed`,
  which replaces one generation number in the cache. A kept response carries the generation
  read *before* its view read the database, so one made from data older than a commit never
  matches the generation that commit set. The number is replaced once at the write (so a
  request in the same transaction, as in tests, sees the change) and again after the commit
  (the one that matters: a reader between the two stored a page of the old data).
- Time: a letter passing its closing date, or a day going by in its "days left", changes the
  page with no write; `keep(until=…)` bounds the response to that moment.
- The code, templates and assets: the release is in the key.
- The language, host and scheme: in the key (the language as LocaleMiddleware picks it).

One generation for every page keeps the check to a single round trip; a change to one letter
makes each kept page render once more, which costs nothing next to the reads between changes.
"""

import hashlib
import math
import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost, MiddlewareNotUsed
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.module_loading import import_string
from django.utils.translation import get_language_from_path, get_language_from_request

from config.cache import redis_back
from config.release import release_id

GENERATION_KEY = "kept-responses:generation"
# Never stale (the generation and the release decide), only evicted; bounded all the same, in
# case the cache lost a generation change (an outage at the very moment of a write).
KEPT_SECONDS = 10 * 60
# Query parameters that do not change a page: `v` only makes browsers fetch it anew.
NEUTRAL_PARAMETERS = {"v"}


@dataclass(frozen=True)
class Fill:
    """A page the same for everyone but for a few values of each visitor's (a CSRF token):
    `content` has marks where they go, and `function` (a dotted path) is called with the
    request, the content and `arguments` to make each visitor's response, or None for the
    whole stack to answer (a visitor the page is not right for)."""

    function: str
    content: str
    arguments: dict = field(default_factory=dict)
    # The only cookie such a response may set: the function sets it again for each visitor.
    cookie: str = ""


def keep(
    response: HttpResponse, *, until: float | None = None, fill: Fill | None = None
) -> HttpResponse:
    """Mark a response as the same for every reader of its address, until the time `until`
    (a Unix timestamp), or until the next change; with `fill`, the same but for its marks."""
    response.kept_until = math.inf if until is None else until
    response.kept_fill = fill
    return response


def public_pages_changed() -> None:
    """Something public changed (called in the transaction that changes it)."""
    _new_generation()
    transaction.on_commit(_new_generation)


def _new_generation(**kwargs) -> None:
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)


# A change made while Redis was away went to one process's memory: Redis still holds the
# generation before it, and the pages kept under it. Any process that sees Redis return
# (the one that made the change, or a web process that saw the outage too) sets a new one.
redis_back.connect(_new_generation, dispatch_uid="kept-responses-generation")


def _current_generation(read: str | None) -> str | None:
    if read is not None:
        return read
    # The first request after the cache was emptied: whoever adds first sets it. A fresh
    # random value, never an old one, so nothing kept before can match it.
    cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
    return cache.get(GENERATION_KEY)


def generation_is_shared() -> bool:
    """Whether the cache is the one every process writes its generations to: not while the
    Redis cache stands in with this process's memory (config.cache), where other processes'
    changes are not seen (manage.py refresh_pages says so). Without Redis, nothing is kept at
    all: settings.KEPT_RESPONSES."""
    return getattr(cache, "is_shared", _always)()


def _always() -> bool:
    return True


class KeptResponseMiddleware:
    def __init__(self, get_response):
        if not settings.KEPT_RESPONSES:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        key = _key(request)
        if key is None:
            return self.get_response(request)
        found = cache.get_many([key, GENERATION_KEY])
        if not generation_is_shared():
            return self.get_response(request)
        kept, generation = found.get(key), found.get(GENERATION_KEY)
        if kept is not None and kept[0] == generation and time.time() < kept[1]:
            answer = _answer(request, *kept[2:])
            if answer is not None:
                return answer
        generation = _current_generation(generation)
        response = self.get_response(request)
        until = getattr(response, "kept_until", None)
        if until is None or generation is None or not generation_is_shared():
            return response
        fill = response.kept_fill
        if _same_for_everyone(response, fill):
            headers = [
                (name, value) for name, value in response.items() if name != "Content-Length"
            ]
            if fill is None:
                kept = (generation, until, headers, response.content, None, None)
            else:
                kept = (generation, until, headers, fill.content, fill.function, fill.arguments)
            cache.set(key, kept, KEPT_SECONDS)
        return response


def _key(request) -> str | None:
    if request.method != "GET":
        return None
    if request.META.get("QUERY_STRING") and not set(request.GET) <= NEUTRAL_PARAMETERS:
        return None  # a search, a page of a list: readers could vary these without end
    try:
        host = request.get_host()
    except DisallowedHost:
        return None  # the stack below answers it
    parts = [release_id(), request.scheme, host, _language(request), request.path]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"kept-responses:{digest}"


def _language(request) -> str:
    """The language the page is made in, as LocaleMiddleware picks it: the address's prefix;
    without one, the default language (prefix_default_language=False), whatever the browser
    asks for, but at "/", whose view sends a browser to the language it prefers."""
    from_path = get_language_from_path(request.path_info)
    if from_path:
        return from_path
    if request.path_info == "/":
        return get_language_from_request(request)
    return settings.LANGUAGE_CODE


def _same_for_everyone(response, fill: Fill | None) -> bool:
    # A cookie is for one visitor (a CSRF token, a session): such a response is never shared,
    # but for the one cookie a Fill sets again for each visitor.
    cookies = set(response.cookies) - ({fill.cookie} if fill else set())
    return response.status_code == 200 and not response.streaming and not cookies


def _answer(request, headers, content, function, arguments) -> HttpResponse | None:
    if function is None:
        response = HttpResponse(content)
    else:
        response = import_string(function)(request, content, **arguments)
        if response is None:
            return None
    for name, value in headers:
        response[name] = value
    response["Content-Length"] = str(len(response.content))
    # The response itself, or a 304 or 412 for a conditional request.
    not_modified = get_conditional_response(request, etag=response.get("ETag"), response=response)
    if not_modified.status_code != 304:
        return not_modified
    # With the kept response's headers, as the middleware below this one would have set them on
    # a 304 (a security policy, the language), but for those of a body it does not have.
    for name, value in headers:
        if name != "Content-Type":
            not_modified[name] = value
    not_modified["Content-Length"] = "0"
    return not_modified
