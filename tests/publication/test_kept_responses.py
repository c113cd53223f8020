"""Public pages answered from the cache before the database (config.kept_responses): what must
hold is that a reader gets what the whole stack would have given them, only sooner."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.http import HttpResponse
from django.test import Client

from campaigns import services as letter_services
from campaigns.models import Letter
from config import kept_responses
from publication import caching
from tests.factories import LetterFactory
from tests.signatories.test_counts import approved
from tests.support.clock import closing_while_made

pytestmark = pytest.mark.django_db

PAGES = ["/letters/{slug}/", "/fr/letters/{slug}/", "/api/letters/{slug}/", "/", "/ar/"]


def pages(letter):
    return [page.format(slug=letter.slug) for page in PAGES]


def test_a_kept_page_is_answered_without_the_database(client, letter, django_assert_num_queries):
    for path in pages(letter):
        first = client.get(path)

        with django_assert_num_queries(0):
            again = client.get(path)

        assert again.status_code == 200
        assert again.content == first.content
        assert again.headers == first.headers, path  # the whole stack's headers, kept


def test_each_change_shows_on_the_next_request(client, letter):
    for path in pages(letter):
        client.get(path)
    approved(letter, country="KE")

    assert client.get(f"/api/letters/{letter.slug}/").json()["signatories"] == 1
    assert "Kenya" in client.get(f"/letters/{letter.slug}/").text
    assert "Kenya" in client.get(f"/fr/letters/{letter.slug}/").text


def test_a_commit_after_the_page_was_made_is_not_hidden_by_it(letter, monkeypatch):
    """A reader's page is made from the data before a change, the change commits, then the
    reader's page is stored: the next reader must not get it."""
    client = Client()  # the change below commits on its own, not with the reader's request
    path = f"/api/letters/{letter.slug}/"
    make = caching._kept_response

    def made_then_someone_changes_it(*args):
        response = make(*args)
        approved(letter, country="KE")
        kept_responses._new_generation()  # what the commit of that change does
        return response

    monkeypatch.setattr(caching, "_kept_response", made_then_someone_changes_it)
    assert client.get(path).json()["signatories"] == 0  # made before the change
    monkeypatch.setattr(caching, "_kept_response", make)

    assert client.get(path).json()["signatories"] == 1


def test_the_generation_changes_again_after_the_commit(django_capture_on_commit_callbacks):
    """In the transaction and after its commit: a reader between the two stored a page of
    the data before the commit."""
    seen = []
    with django_capture_on_commit_callbacks(execute=True):
        kept_responses.public_pages_changed()
        seen.append(cache.get(kept_responses.GENERATION_KEY))
    seen.append(cache.get(kept_responses.GENERATION_KEY))

    assert None not in seen and seen[0] != seen[1]


def test_the_closing_date_passing_changes_the_kept_page(client):
    # Each step is shorter than the time a kept page lives: only its `until` can end it.
    start = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        letter = LetterFactory(closes_at=start + timedelta(days=1, minutes=2))
        assert "2 days left" in client.get(f"/letters/{letter.slug}/").text

        clock.shift(timedelta(minutes=3))  # less than a whole day before the close
        assert "1 day left" in client.get(f"/letters/{letter.slug}/").text

        clock.shift(timedelta(days=1, minutes=-2))  # a minute before the close
        assert client.get(f"/api/letters/{letter.slug}/").json()["status"] == "open"
        assert "Open until" in client.get("/").text

        clock.shift(timedelta(minutes=2))  # closed, with no write to the database
        assert client.get(f"/api/letters/{letter.slug}/").json()["status"] == "closed"
        assert "Open until" not in client.get("/").text


def test_the_periodic_close_shows_at_once(client):
    start = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        letter = LetterFactory(closes_at=start + timedelta(hours=1))
        clock.shift(timedelta(hours=2))
        before = client.get(f"/api/letters/{letter.slug}/")["ETag"]

        letter_services.letters_close_due()

        assert client.get(f"/api/letters/{letter.slug}/")["ETag"] != before


def test_a_page_of_a_search_or_a_list_is_not_kept(client, letter, django_assert_max_num_queries):
    for query in ("?q=kenya", "?page=1", "?v=1&q=x"):
        client.get(f"/letters/{letter.slug}/{query}")
        # Rendered again: it reads the letter.
        with pytest.raises(pytest.fail.Exception), django_assert_max_num_queries(0):
            client.get(f"/letters/{letter.slug}/{query}")


def test_the_version_parameter_gets_the_kept_page(client, letter, django_assert_num_queries):
    client.get(f"/letters/{letter.slug}/")
    with django_assert_num_queries(0):
        assert client.get(f"/letters/{letter.slug}/?v=7").status_code == 200


def test_an_address_without_a_language_is_kept_once_whatever_the_browser_asks_for(
    letter, django_assert_num_queries
):
    """LocaleMiddleware makes such addresses in the default language for every browser."""
    path = f"/letters/{letter.slug}/"
    first = Client().get(path, HTTP_ACCEPT_LANGUAGE="en")

    with django_assert_num_queries(0):
        second = Client().get(path, HTTP_ACCEPT_LANGUAGE="fr")

    assert second.content == first.content and second["Content-Language"] == "en"


def test_a_browser_asking_for_another_language_is_still_sent_to_it(client, letter):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en").status_code == 200  # kept

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 302 and response["Location"] == "/fr/"


def test_a_host_not_allowed_is_refused_though_the_page_is_kept(client, letter, settings):
    settings.ALLOWED_HOSTS = ["letters.example.org"]
    path = f"/letters/{letter.slug}/"
    assert client.get(path, HTTP_HOST="letters.example.org").status_code == 200

    assert client.get(path, HTTP_HOST="evil.example").status_code == 400


def test_a_kept_page_answers_304(client, letter):
    first = client.get(f"/letters/{letter.slug}/")
    client.get(f"/letters/{letter.slug}/")

    again = client.get(f"/letters/{letter.slug}/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304 and again.content == b""


def test_a_kept_304_has_the_headers_the_whole_stack_gives_one(client, letter):
    for path in pages(letter):
        etag = client.get(path)["ETag"]
        cache.clear()  # nothing kept: the whole stack answers
        whole = client.get(path, HTTP_IF_NONE_MATCH=etag)
        client.get(path)

        kept = client.get(path, HTTP_IF_NONE_MATCH=etag)

        assert whole.status_code == kept.status_code == 304
        # A security policy, a language: what the whole stack's has, at least.
        assert whole.headers.items() <= kept.headers.items(), path
        assert "Content-Type" not in kept.headers


def test_a_draft_is_never_kept_for_its_organisers_preview(client, admin_client):
    letter = LetterFactory(status="draft", title="Not yet")
    assert "Not yet" in admin_client.get(f"/letters/{letter.slug}/").text

    assert client.get(f"/letters/{letter.slug}/").status_code == 404


@pytest.mark.parametrize(("cookie", "renders"), [(False, 1), (True, 2)])
def test_a_response_setting_a_cookie_is_never_shared(rf, cookie, renders):
    rendered = []

    def view(request):
        rendered.append(request)
        response = kept_responses.keep(HttpResponse("the same for everyone?"))
        if cookie:
            response.set_cookie("sessionid", "one visitor's")
        return response

    middleware = kept_responses.KeptResponseMiddleware(view)
    for _ in range(2):
        response = middleware(rf.get("/somewhere/"))
        assert response.content == b"the same for everyone?"

    assert len(rendered) == renders


def test_while_redis_is_away_nothing_kept_is_served(client, letter, monkeypatch):
    """Another process's change would not be seen in this process's stand-in memory."""
    path = f"/api/letters/{letter.slug}/"
    client.get(path)
    kept_under = cache.get(kept_responses.GENERATION_KEY)
    monkeypatch.setattr(kept_responses, "generation_is_shared", lambda: False)
    approved(letter, country="KE")  # its generation goes to this process's memory only...
    # ...and what the cache answers is still the one the page was kept under (one cache plays
    # both parts here): only the check of a shared cache stands between the reader and it.
    cache.set(kept_responses.GENERATION_KEY, kept_under, None)

    assert client.get(path).json()["signatories"] == 1
    # What happens when Redis returns: tests/config/test_cache.py.


def test_without_redis_nothing_is_kept(settings, letter, django_assert_max_num_queries):
    """The embedded default's cache is one process's memory: a change made by another
    process (a management command) would not be seen by this one."""
    settings.KEPT_RESPONSES = False
    client = Client()  # its stack is built with the setting above
    path = f"/letters/{letter.slug}/"
    client.get(path)

    with pytest.raises(pytest.fail.Exception), django_assert_max_num_queries(0):
        client.get(path)


def test_a_page_made_as_the_letter_closes_is_not_kept_past_the_closing(client, monkeypatch):
    """The page is read while the letter is open and finished after its closing: it may be
    kept only until the closing, as the time it was read says."""
    with closing_while_made(monkeypatch, caching, "_kept_response") as letter:
        assert client.get(f"/api/letters/{letter.slug}/").json()["status"] == "open"

        assert client.get(f"/api/letters/{letter.slug}/").json()["status"] == "closed"


def test_the_first_readers_version_parameter_is_not_in_the_next_readers_page(client, letter):
    for path in (f"/letters/{letter.slug}/", "/"):
        client.get(f"{path}?v=first-reader")

        page = Client().get(path).text

        assert "first-reader" not in page, path


def test_a_change_no_save_announces_shows_after_refresh_pages(client, letter):
    client.get(f"/letters/{letter.slug}/")
    Letter.objects.filter(pk=letter.pk).update(title="Changed in a shell")  # no signal

    call_command("refresh_pages", stdout=StringIO())

    assert "Changed in a shell" in client.get(f"/letters/{letter.slug}/").text


def test_a_migration_refreshes_the_kept_pages(client, letter):
    client.get(f"/letters/{letter.slug}/")
    Letter.objects.filter(pk=letter.pk).update(title="Changed by a data migration")

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    assert "Changed by a data migration" in client.get(f"/letters/{letter.slug}/").text


@pytest.mark.integration
def test_refresh_pages_says_so_when_redis_did_not_get_the_change(
    client, letter, settings, monkeypatch
):
    """Run from a process that cannot reach Redis, the new generation would go to its own
    memory and die with it: the web processes would keep their pages, so it must not say it
    worked."""
    import uuid

    from django.core.management.base import CommandError

    from config.cache import ResilientRedisCache

    prefix = f"refresh-test-{uuid.uuid4().hex}"
    shared = ResilientRedisCache(settings.TEST_REDIS_URL, {"KEY_PREFIX": prefix})
    monkeypatch.setattr(kept_responses, "cache", shared)
    path = f"/letters/{letter.slug}/"
    client.get(path)
    Letter.objects.filter(pk=letter.pk).update(title="Changed in a shell")
    shared._failed(OSError("Redis away from this process"))

    with pytest.raises(CommandError, match="Redis did not answer"):
        call_command("refresh_pages", stdout=StringIO())

    shared._down_until = 0.0  # the web processes, which reach Redis: run again, it works
    call_command("refresh_pages", stdout=StringIO())
    assert "Changed in a shell" in client.get(path).text
    shared.delete_many([kept_responses.GENERATION_KEY])
