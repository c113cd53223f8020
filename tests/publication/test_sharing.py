"""A letter page carries what link previews need and plain share links: no service's script."""

import html
import re

import pytest

from tests.factories import LetterFactory
from tests.signatories.test_counts import approved

pytestmark = pytest.mark.django_db


def meta(page: str, key: str) -> str:
    found = re.search(rf'<meta (?:property|name)="{key}" content="([^"]*)"', page)
    return html.unescape(found.group(1)) if found else ""


def test_link_previews_get_the_title_the_headline_and_the_address(client):
    letter = LetterFactory(
        title="Free the lawyers & journalists", summary="We ask for their release."
    )
    approved(letter, country="KE")
    approved(letter, country="NG", organisation_name="Second Group")

    page = client.get(f"/letters/{letter.slug}/").text

    assert meta(page, "og:title") == "Free the lawyers & journalists"
    assert meta(page, "og:description") == (
        "2 organisations from 2 countries have signed. We ask for their release."
    )
    assert meta(page, "og:url") == f"http://testserver/letters/{letter.slug}/"
    assert meta(page, "twitter:card") == "summary_large_image"
    letter.refresh_from_db()
    card = f"http://testserver/letters/{letter.slug}/card.png?v={letter.published_version}"
    assert meta(page, "og:image") == meta(page, "twitter:image") == card
    assert (meta(page, "og:image:width"), meta(page, "og:image:height")) == ("1200", "630")
    assert "2 organisations from 2 countries" in meta(page, "og:image:alt")


def test_the_card_address_changes_when_the_counts_change(client, letter):
    before = meta(client.get(f"/letters/{letter.slug}/").text, "og:image")
    approved(letter, country="KE")
    after = meta(client.get(f"/letters/{letter.slug}/").text, "og:image")
    assert before != after


def test_share_links_are_plain_links_with_the_letters_address(client, letter):
    page = client.get(f"/letters/{letter.slug}/").text
    links = html.unescape(page.split('class="small mt-3 mb-0 share-links"')[1].split("</p>")[0])

    for service in ["Email", "Mastodon", "Bluesky", "X", "WhatsApp", "LinkedIn"]:
        assert f">{service}</a>" in links
    assert f"http%3A%2F%2Ftestserver%2Fletters%2F{letter.slug}%2F" in links
