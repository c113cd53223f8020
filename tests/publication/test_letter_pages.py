from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from campaigns.models import Letter
from tests.factories import LetterFactory

pytestmark = pytest.mark.django_db

DRAFT, OPEN, CLOSED = Letter.Status.DRAFT, Letter.Status.OPEN, Letter.Status.CLOSED


def test_an_open_letter_shows_its_text_addressee_and_a_sign_link(client):
    letter = LetterFactory(
        title="Free the defenders", addressee="The Secretary-General", body="We **urge** you."
    )

    response = client.get(f"/letters/{letter.slug}/")

    assert response.status_code == 200
    html = response.text
    assert "<h1" in html and "Free the defenders" in html
    assert "To The Secretary-General" in html
    assert "<strong>urge</strong>" in html
    assert f'href="/letters/{letter.slug}/sign/"' in html
    assert "Sign this letter" in html


def test_a_draft_is_not_found_by_the_public(client):
    letter = LetterFactory(status=DRAFT)

    assert client.get(f"/letters/{letter.slug}/").status_code == 404


def test_staff_can_preview_a_draft_and_the_preview_is_not_cached(admin_client):
    letter = LetterFactory(status=DRAFT, title="Work in progress")

    response = admin_client.get(f"/letters/{letter.slug}/")

    assert response.status_code == 200
    assert "Draft preview" in response.text
    assert "no-store" in response["Cache-Control"]


def test_an_unknown_letter_is_not_found(client):
    assert client.get("/letters/no-such-letter/").status_code == 404


def test_a_closed_letter_is_public_but_offers_no_sign_link(client):
    letter = LetterFactory(status=CLOSED)

    response = client.get(f"/letters/{letter.slug}/")

    assert response.status_code == 200
    assert "Sign this letter" not in response.text
    assert "no longer takes signatures" in response.text


def test_an_open_letter_past_its_closing_date_behaves_as_closed(client):
    letter = LetterFactory(status=OPEN, closes_at=timezone.now() - timedelta(minutes=1))

    response = client.get(f"/letters/{letter.slug}/")

    assert letter.is_open is False
    assert letter.effective_status == CLOSED
    assert "Sign this letter" not in response.text
    assert "Signatures closed on" in response.text
    assert Letter.objects.open().count() == 0
    assert list(Letter.objects.closed()) == [letter]


def test_an_open_letter_with_a_future_closing_date_says_when_it_closes(client):
    letter = LetterFactory(status=OPEN, closes_at=timezone.now() + timedelta(days=3))

    response = client.get(f"/letters/{letter.slug}/")

    assert letter.is_open
    assert "Signatures close on" in response.text
    assert "Sign this letter" in response.text


def test_home_lists_open_letters_and_recently_closed_ones_but_no_drafts(client):
    LetterFactory(title="Open one", status=OPEN)
    LetterFactory(title="Closed one", status=CLOSED)
    LetterFactory(title="Lapsed one", status=OPEN, closes_at=timezone.now() - timedelta(days=1))
    LetterFactory(title="Secret draft", status=DRAFT)

    html = client.get("/").text

    open_part, closed_part = html.split("Recently closed")
    assert "Open one" in open_part
    assert "Closed one" in closed_part and "Lapsed one" in closed_part
    assert "Secret draft" not in html


def test_home_says_so_when_nothing_is_open(client):
    assert "No letter is open for signatures right now." in client.get("/").text


def test_slugs_are_unique():
    LetterFactory(slug="same")
    with pytest.raises(IntegrityError):
        LetterFactory(slug="same")


def test_pages_have_landmarks_and_a_language():
    from django.test import Client

    html = Client().get("/").text
    assert '<html lang="en"' in html
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in html
    assert "Skip to content" in html


def test_recently_closed_letters_come_most_recent_first_on_every_database(client):
    now = timezone.now()
    by_hand = LetterFactory(title="Closed by hand last month", status=CLOSED)
    Letter.objects.filter(pk=by_hand.pk).update(closed_at=now - timedelta(days=30))
    lapsed = LetterFactory(title="Lapsed yesterday", status=OPEN, closes_at=now - timedelta(days=1))
    dated = LetterFactory(
        title="Closed last week", status=CLOSED, closes_at=now - timedelta(days=7)
    )
    Letter.objects.filter(pk=dated.pk).update(closed_at=now - timedelta(days=7))
    never_stamped = LetterFactory(title="Closed when, nobody knows", status=CLOSED)

    closed_part = client.get("/").text.split("Recently closed")[1]

    order = [lapsed, dated, by_hand, never_stamped]
    positions = [closed_part.index(letter.title) for letter in order]
    assert positions == sorted(positions)


def test_the_api_lists_letters_newest_first_with_never_opened_ones_last(client):
    now = timezone.now()
    older = LetterFactory(title="Older", status=OPEN, opened_at=now - timedelta(days=9))
    never_opened = LetterFactory(title="Created closed", status=CLOSED, opened_at=None)
    newer = LetterFactory(title="Newer", status=OPEN, opened_at=now - timedelta(days=1))

    slugs = [letter["slug"] for letter in client.get("/api/letters/").json()["results"]]

    assert slugs == [newer.slug, older.slug, never_opened.slug]


def test_a_letter_page_names_whom_to_contact(client, settings):
    settings.CONTACT_EMAIL = "site@example.org"
    own = LetterFactory(contact_email="coalition@example.org")
    site_wide = LetterFactory()

    assert 'href="mailto:coalition@example.org"' in client.get(f"/letters/{own.slug}/").text
    assert 'href="mailto:site@example.org"' in client.get(f"/letters/{site_wide.slug}/").text
