"""The blank sign form's page, rendered once and served to everyone who opens it.

Rendering it costs more than anything else a reader asks for (the country select alone is 250
options through crispy-forms' templates), and at a launch thousands open it within minutes. It
is the same for each of them but for two values: their CSRF token and the time the form was
shown (`started`). So the page is rendered once per letter version, language and release with
a mark in their place, cached, and each request gets a copy with its own values put in.

The page is also kept by config.kept_responses with those marks in, and `fill` makes each
visitor's copy before any other middleware, the database or the letter: a launch's visitors
cost one cache round trip each, and one more for the abuse limits.

A form coming back with errors, or one that asks for the proof-of-work check, is rendered for
its visitor as before.
"""

import secrets

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.template.loader import render_to_string
from django.utils.translation import get_language

from campaigns.models import Letter
from config.kept_responses import Fill, keep
from config.release import release_id
from signatories import limits
from signatories.forms import SignatureForm, started_token

# Random per process start: a visitor cannot put a mark into the page (nothing they send is
# in it, but a letter's text could quote one), and no stale copy from before a restart holds
# one this process would not replace (the release is in the key as well).
CSRF_MARK = f"csrf-{secrets.token_hex(16)}"
STARTED_MARK = f"started-{secrets.token_hex(16)}"
CACHE_SECONDS = 60 * 60


def page_key(letter: Letter) -> str:
    # published_version changes with the letter's text and settings, the status when it
    # closes; the marks with each process.
    parts = [
        "sign-page", release_id(), letter.pk, letter.published_version, letter.text_version,
        letter.effective_status, get_language(), CSRF_MARK,
    ]  # fmt: skip
    return ":".join(str(part) for part in parts)


def blank_sign_page(request, letter: Letter, *, until: float | None) -> HttpResponse:
    key = page_key(letter)
    html = cache.get(key)
    if html is None:
        html = _render(request, letter)
        cache.set(key, html, CACHE_SECONDS)
    marks = {"csrf": CSRF_MARK, "started": STARTED_MARK}
    response = HttpResponse(_filled(html, marks, get_token(request)))
    kept = Fill(
        function="signatories.sign_page.fill",
        content=html,
        arguments={"letter_id": letter.pk, "marks": marks},
        cookie=settings.CSRF_COOKIE_NAME,
    )
    return keep(response, until=until, fill=kept)


def fill(request, content: str, *, letter_id: int, marks: dict) -> HttpResponse | None:
    """A visitor's copy of the kept page (config.kept_responses), made as the view and the
    CSRF middleware would; None for a visitor the blank form is not for: one over a limit
    gets the proof-of-work check or a 429 from the view."""
    verdict = limits.sign_attempt(request, Letter(pk=letter_id), count=False)
    if verdict.retry_after or verdict.challenge:
        return None
    csrf = CsrfViewMiddleware(lambda request: None)
    csrf.process_request(request)
    response = HttpResponse(_filled(content, marks, get_token(request)))
    return csrf.process_response(request, response)


def _filled(html: str, marks: dict, csrf_token: str) -> str:
    return html.replace(marks["csrf"], csrf_token).replace(marks["started"], started_token())


def _render(request, letter: Letter) -> str:
    form = SignatureForm(text_version=letter.text_version)
    form.initial["started"] = STARTED_MARK
    # The page's own address for the language links, without whatever query string this
    # visitor came with (it would be shown to every later one); the invite stays.
    path = request.path
    if letter.is_embargoed:
        path += f"?invite={letter.invite_key}"
    context = {
        "letter": letter,
        "form": form,
        "csrf_token": CSRF_MARK,
        "language_path": path,
    }
    return render_to_string("signatories/sign.html", context, request=request)
