"""The blank sign form's page is rendered once per letter version and language, and each
visitor gets it with their own CSRF token and "started" time (signatories.sign_page)."""

import re

import pytest
from django.test import Client

from campaigns import services as letter_services
from signatories import sign_page
from signatories.models import Signature
from signatories.sign_page import CSRF_MARK, STARTED_MARK
from tests.factories import LetterFactory
from tests.signatories.helpers import form_data
from tests.support.clock import closing_while_made

pytestmark = pytest.mark.django_db


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def test_each_visitor_gets_their_own_token_and_time_in_the_same_page(letter):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)

    one = first.get(f"/letters/{letter.slug}/sign/")
    two = second.get(f"/letters/{letter.slug}/sign/")

    for page in (one.text, two.text):
        assert CSRF_MARK not in page and STARTED_MARK not in page
    assert hidden(one.text, "csrfmiddlewaretoken") != hidden(two.text, "csrfmiddlewaretoken")
    assert one["Cache-Control"].startswith("max-age=0") or "no-cache" in one["Cache-Control"]
    # The token in the page is the visitor's own: their post is accepted.
    data = form_data(csrfmiddlewaretoken=hidden(one.text, "csrfmiddlewaretoken"))
    posted = first.post(f"/letters/{letter.slug}/sign/", data)
    assert posted.status_code == 302, posted.text[:500]
    assert Signature.objects.count() == 1


def test_the_form_is_a_fresh_one_with_a_time_of_now(client, letter):
    import time

    from django.core import signing

    client.get(f"/letters/{letter.slug}/sign/")  # rendered and kept
    time.sleep(1.1)
    asked_at = time.time()
    page = client.get(f"/letters/{letter.slug}/sign/").text
    too_soon = client.post(
        f"/letters/{letter.slug}/sign/", form_data(started=hidden(page, "started"))
    )

    # Posted within the same second it was shown: a script's speed, refused.
    assert too_soon.status_code == 200 and Signature.objects.count() == 0
    # The time in the kept page is this request's (whole seconds), not the first render's,
    # which was more than a second before `asked_at`.
    shown_at = int(signing.Signer(salt="signatories.sign-form.started").unsign(
        hidden(page, "started")))  # fmt: skip
    assert int(asked_at) <= shown_at <= time.time()


def test_what_one_visitor_put_in_the_address_is_not_shown_to_the_next(client, letter):
    client.get(f"/letters/{letter.slug}/sign/?ref=alice-private-note")

    page = Client().get(f"/letters/{letter.slug}/sign/").text

    assert "alice-private-note" not in page


def test_a_change_to_the_letter_shows_on_the_next_request_in_each_language(client, letter):
    assert "Titre" not in client.get(f"/fr/letters/{letter.slug}/sign/").text

    letter = letter_services.letter_update(
        letter=letter, changes={"title_fr": "Titre", "body_fr": "Corps."}, revision=letter.revision
    )

    assert "Titre" in client.get(f"/fr/letters/{letter.slug}/sign/").text
    assert "Titre" not in client.get(f"/letters/{letter.slug}/sign/").text


def test_an_embargoed_letters_page_keeps_its_invite_and_nothing_else(client):
    letter = LetterFactory(status="embargoed")
    url = f"/letters/{letter.slug}/sign/?invite={letter.invite_key}"

    client.get(url + "&ref=bob-private-note")
    page = Client().get(url).text

    assert "bob-private-note" not in page
    assert f"invite={letter.invite_key}" in page  # the language links keep working


def test_the_kept_page_gives_each_later_visitor_a_token_their_post_passes_with(
    letter, django_assert_num_queries
):
    Client().get(f"/letters/{letter.slug}/sign/")  # rendered and kept
    visitor = Client(enforce_csrf_checks=True)

    with django_assert_num_queries(0):  # config.kept_responses: no letter, no session
        page = visitor.get(f"/letters/{letter.slug}/sign/")
    again = visitor.get(f"/letters/{letter.slug}/sign/")  # their cookie comes back

    # Their secret is kept; the cookie is sent again, as Django does, to renew it.
    assert again.cookies["csrftoken"].value == page.cookies["csrftoken"].value
    assert "Cookie" in page["Vary"] and "no-store" in page["Cache-Control"]
    assert int(page["Content-Length"]) == len(page.content)
    for response in (page, again):
        token = hidden(response.text, "csrfmiddlewaretoken")
        data = form_data(csrfmiddlewaretoken=token, contact_email=f"{token[:8]}@khrn.or.ke")
        assert visitor.post(f"/letters/{letter.slug}/sign/", data).status_code == 302
    assert Signature.objects.count() == 2


def test_a_visitor_over_a_limit_is_not_given_the_kept_page(client, letter, settings):
    client.get(f"/letters/{letter.slug}/sign/")  # rendered and kept
    settings.SIGN_LIMIT_ADDRESS_PER_LETTER = "1/h,2/h"
    client.post(f"/letters/{letter.slug}/sign/", form_data())

    asked = client.get(f"/letters/{letter.slug}/sign/")
    client.post(f"/letters/{letter.slug}/sign/", form_data(contact_email="b@khrn.or.ke"))
    refused = client.get(f"/letters/{letter.slug}/sign/")

    assert "altcha" in asked.text  # the proof-of-work check
    assert refused.status_code == 429


def test_the_kept_page_ends_when_the_letter_closes(client):
    from datetime import UTC, datetime, timedelta

    import time_machine

    start = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        letter = LetterFactory(closes_at=start + timedelta(minutes=2))
        assert "csrfmiddlewaretoken" in client.get(f"/letters/{letter.slug}/sign/").text

        clock.shift(timedelta(minutes=3))

        assert "csrfmiddlewaretoken" not in client.get(f"/letters/{letter.slug}/sign/").text


def test_a_form_made_as_the_letter_closes_is_not_shown_past_the_closing(client, monkeypatch):
    with closing_while_made(monkeypatch, sign_page, "_render") as letter:
        assert 'name="authorised"' in client.get(f"/letters/{letter.slug}/sign/").text

        page = client.get(f"/letters/{letter.slug}/sign/").text

    assert 'name="authorised"' not in page


def test_the_check_email_page_is_kept_and_follows_the_letter(client, django_assert_num_queries):
    letter = LetterFactory(requires_approval=True)
    path = f"/letters/{letter.slug}/sign/check-email/"
    assert "the organisers check the signature" in client.get(path).text
    with django_assert_num_queries(0):
        assert client.get(path).status_code == 200

    letter.requires_approval = False
    letter.save()

    assert "counted straight away" in client.get(path).text


def test_a_new_invite_key_replaces_the_old_one_in_the_embargoed_sign_page(client):
    """The page's language links carry the invite; the revoked key must not stay in them."""
    letter = LetterFactory(status="embargoed")
    old = letter.invite_key
    assert old in client.get(f"/letters/{letter.slug}/sign/?invite={old}").text

    letter = letter_services.letter_new_invite(letter=letter)
    page = client.get(f"/letters/{letter.slug}/sign/?invite={letter.invite_key}").text

    assert old not in page and letter.invite_key in page
