"""The Atom feed of public letters and the sitemap: what readers and search engines see."""

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from campaigns.forms import LetterForm
from tests.factories import LetterFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def letters():
    now = timezone.now()
    return {
        "older": LetterFactory(title="Older letter", opened_at=now - timedelta(days=9)),
        "newer": LetterFactory(title="Newer letter", opened_at=now - timedelta(days=1)),
        "closed": LetterFactory(
            title="Closed letter", status="closed", opened_at=now - timedelta(days=30)
        ),
        "draft": LetterFactory(title="Draft letter", status="draft"),
    }


def test_the_feed_lists_public_letters_newest_first(client, letters):
    response = client.get("/letters/feed/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [
        "Newer letter", "Older letter", "Closed letter",
    ]  # fmt: skip
    newer = entries[0]
    assert newer.find(f"{ATOM}link").get("href") == (
        f"http://testserver/letters/{letters['newer'].slug}/"
    )
    assert newer.findtext(f"{ATOM}summary") == "A short summary of the letter."


def test_every_public_page_links_the_feed(client, letters):
    page = client.get(f"/letters/{letters['newer'].slug}/").text
    assert 'type="application/atom+xml"' in page and 'href="/letters/feed/"' in page


def test_the_sitemap_holds_home_and_every_public_letter_in_each_language(client, letters):
    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    urls = {location.text for location in root.iter(f"{SITEMAP}loc")}
    pages = ["/", *(f"/letters/{letters[name].slug}/" for name in ("older", "newer", "closed"))]
    prefixes = ["", "/ar", "/zh-hans", "/fr", "/ru", "/es"]
    assert urls == {f"http://testserver{prefix}{page}" for page in pages for prefix in prefixes}
    # Each entry names its versions in the other languages, and the default one.
    entry = next(
        url
        for url in root.iter(f"{SITEMAP}url")
        if url.find(f"{SITEMAP}loc").text.endswith(f"/fr/letters/{letters['newer'].slug}/")
    )
    alternates = {
        link.get("hreflang"): link.get("href")
        for link in entry.iter("{http://www.w3.org/1999/xhtml}link")
    }
    assert alternates["ar"] == f"http://testserver/ar/letters/{letters['newer'].slug}/"
    assert alternates["x-default"] == f"http://testserver/letters/{letters['newer'].slug}/"
    assert len(alternates) == 7


def test_a_letter_cannot_take_the_feeds_address(db):
    form = LetterForm(
        data={
            "title": "Feed",
            "slug": "feed",
            "body": "Text",
            "status": "draft",
            "loaded_revision": 0,
        }
    )
    assert not form.is_valid()
    assert "another page" in form.errors["slug"][0]
