"""The letter's map, card and PDF as served: their types, their caching under the letter's
ETag (a new approval shows in the next one), and the PDF of a delivered letter."""

import io

import pytest
from django.core.cache import cache
from PIL import Image
from pypdf import PdfReader

from campaigns import services as letter_services
from campaigns.models import Letter
from publication import renditions
from tests.factories import LetterFactory
from tests.signatories.test_counts import approved

pytestmark = pytest.mark.django_db


def pdf_text(response) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("map.svg", "image/svg+xml"), ("card.png", "image/png"), ("letter.pdf", "application/pdf")],
)
def test_each_is_cached_under_the_letters_etag_and_changes_with_the_next_approval(
    client, letter, name, content_type
):
    approved(letter, country="KE")
    url = f"/letters/{letter.slug}/{name}"
    first = client.get(url)
    assert first.status_code == 200
    assert first["Content-Type"].startswith(content_type)
    assert "public" in first["Cache-Control"]
    again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304

    approved(letter, country="BR", organisation_name="Second Group")
    changed = client.get(url, headers={"if-none-match": first["ETag"]})
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert changed.content != first.content


def test_the_card_is_a_1200_by_630_png(client, letter):
    image = Image.open(io.BytesIO(client.get(f"/letters/{letter.slug}/card.png").content))
    assert (image.format, image.size) == ("PNG", (1200, 630))


def test_the_map_shades_the_new_country_after_an_approval(client, letter):
    approved(letter, country="KE")
    assert 'data-country="BR"' not in client.get(f"/letters/{letter.slug}/map.svg").text
    approved(letter, country="BR", organisation_name="Second Group")
    assert 'data-country="BR"' in client.get(f"/letters/{letter.slug}/map.svg").text


def test_the_pdf_of_a_delivered_letter_says_so_and_keeps_its_list(client):
    letter = LetterFactory(title="Save the wetlands")
    approved(letter, country="KE", organisation_name="Wetland Defenders Kenya")
    letter_services.letter_deliver(letter=letter, to="the Ramsar Secretariat")
    text = pdf_text(client.get(f"/letters/{letter.slug}/letter.pdf"))
    assert "Delivered on" in text and "the Ramsar Secretariat" in text
    assert "Wetland Defenders Kenya" in text
    assert "1 organisation from 1 country" in text


@pytest.mark.parametrize("status", [Letter.Status.DRAFT, Letter.Status.EMBARGOED])
def test_staff_preview_an_unpublished_letters_files_uncached(admin_client, client, status):
    letter = LetterFactory(status=status)
    for name in ("map.svg", "card.png", "letter.pdf"):
        assert client.get(f"/letters/{letter.slug}/{name}").status_code == 404
        preview = admin_client.get(f"/letters/{letter.slug}/{name}")
        assert preview.status_code == 200
        assert "public" not in preview["Cache-Control"]


def test_readers_arriving_together_wait_for_one_pdf(client, letter, monkeypatch):
    made = []
    monkeypatch.setattr(renditions, "render_letter_pdf", lambda letter: made.append(1) or b"")
    key = f"rendition:pdf:{renditions.letter_etag(letter, dated=True)}"
    cache.add(f"{key}:making", 1, 60)  # another reader is making it

    def meanwhile(seconds):  # ... and has finished by the time this one looks again
        cache.set(key, b"%PDF-1.7 made by the other", 60)

    monkeypatch.setattr(renditions.time, "sleep", meanwhile)
    assert client.get(f"/letters/{letter.slug}/letter.pdf").content == b"%PDF-1.7 made by the other"
    assert made == []


def test_while_one_is_made_others_get_the_last_one_uncached_or_a_503(client, letter, monkeypatch):
    monkeypatch.setattr(renditions.time, "sleep", lambda seconds: None)
    monkeypatch.setattr(renditions, "WAIT_SECONDS", 0)
    url = f"/letters/{letter.slug}/letter.pdf"
    key = f"rendition:pdf:{renditions.letter_etag(letter, dated=True)}"
    cache.add(f"{key}:making", 1, 60)  # another reader is making it, taking its time

    busy = client.get(url)
    assert busy.status_code == 503
    assert busy["Retry-After"] == "10"

    cache.set(f"rendition:pdf:last:{letter.pk}:en", b"%PDF-1.7 the last one", 60)
    stale = client.get(url)
    assert (stale.status_code, stale.content) == (200, b"%PDF-1.7 the last one")
    assert "ETag" not in stale
    assert "no-cache" in stale["Cache-Control"] and "public" not in stale["Cache-Control"]


def test_the_pdf_of_an_undelivered_letter_is_dated_today_and_its_etag_changes_daily(
    client, letter, time_machine
):
    time_machine.move_to("2026-12-01 12:00")
    first = client.get(f"/letters/{letter.slug}/letter.pdf")
    assert "1 December 2026" in pdf_text(first)
    time_machine.move_to("2026-12-02 12:00")
    later = client.get(
        f"/letters/{letter.slug}/letter.pdf", headers={"if-none-match": first["ETag"]}
    )
    assert later.status_code == 200
    assert "2 December 2026" in pdf_text(later)


def test_without_weasyprints_libraries_the_pdf_answers_503(client, letter, monkeypatch):
    def missing(letter):
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(renditions, "render_letter_pdf", missing)
    response = client.get(f"/letters/{letter.slug}/letter.pdf")
    assert response.status_code == 503
    assert "public" not in response.get("Cache-Control", "")


def test_a_drafts_preview_is_never_what_readers_get_while_the_launchs_card_is_made(
    admin_client, client, monkeypatch
):
    monkeypatch.setattr(renditions.time, "sleep", lambda seconds: None)
    monkeypatch.setattr(renditions, "WAIT_SECONDS", 0)
    letter = LetterFactory(status=Letter.Status.DRAFT, title="DRAFT wording, do not share")
    preview = admin_client.get(f"/letters/{letter.slug}/card.png")
    assert preview.status_code == 200
    letter = letter_services.letter_update(
        letter=letter, changes={"status": "open", "title": "Final"}, revision=letter.revision
    )
    key = f"rendition:card:{renditions.letter_etag(letter)}"
    cache.add(f"{key}:making", 1, 60)  # the launch: another reader is making the new card

    public = client.get(f"/letters/{letter.slug}/card.png")

    assert public.status_code == 503 and public.content != preview.content
