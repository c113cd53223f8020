"""The letter services: what an organiser's save does besides writing the fields."""

import pytest
from django.db import transaction

from campaigns import services
from campaigns.errors import SlugLocked, StaleEdit
from campaigns.models import Letter
from tests.factories import LetterFactory

pytestmark = pytest.mark.django_db


def update(letter, **changes):
    return services.letter_update(letter=letter, changes=changes, revision=letter.revision)


def test_opening_stamps_when_and_closing_stamps_when():
    letter = services.letter_create(letter=Letter(title="T", slug="t", body="b"))
    assert (letter.opened_at, letter.closed_at) == (None, None)

    letter = update(letter, status="open")
    opened = letter.opened_at
    assert opened is not None and letter.closed_at is None

    letter = update(letter, status="closed")
    assert letter.opened_at == opened and letter.closed_at is not None

    letter = update(letter, status="open")  # reopened: no longer closed
    assert letter.opened_at == opened and letter.closed_at is None


def test_every_save_bumps_the_published_version_and_the_revision():
    letter = LetterFactory()
    version, revision = letter.published_version, letter.revision

    saved = update(letter, title="A better title")

    assert saved.published_version == version + 1 and saved.revision == revision + 1


def test_a_save_from_a_stale_form_is_refused_and_writes_nothing():
    letter = LetterFactory(title="Original")
    stale_revision = letter.revision
    update(letter, summary="Someone else's summary")

    with pytest.raises(StaleEdit):
        services.letter_update(letter=letter, changes={"title": "Mine"}, revision=stale_revision)

    letter.refresh_from_db()
    assert (letter.title, letter.summary) == ("Original", "Someone else's summary")


def test_the_slug_is_free_until_the_letter_opens_then_locked():
    draft = LetterFactory(status="draft", slug="first-idea")
    draft = update(draft, slug="better-idea")
    opened = update(draft, status="open")

    with pytest.raises(SlugLocked):
        update(opened, slug="after-the-press-release")

    opened.refresh_from_db()
    assert opened.slug == "better-idea"
    closed = update(opened, status="closed")
    with pytest.raises(SlugLocked):
        update(closed, slug="after-closing")


def test_a_service_inside_a_callers_transaction_fails_loudly():
    letter = LetterFactory()

    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        update(letter, title="Nested")
