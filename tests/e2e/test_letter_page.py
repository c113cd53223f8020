"""The letter page in a browser: the map of signatories renders, and the page asks nothing of
any host but ours."""

from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from tests.factories import LetterFactory, SignatureFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_letter_page_shows_the_map_and_loads_nothing_from_other_hosts(page, live_server):
    letter = LetterFactory(title="Protect the river defenders", goal=100)
    for index, country in enumerate(["KE", "KE", "BR", "FR", "IN"]):
        SignatureFactory(
            letter=letter, status="approved", country=country, organisation_name=f"Group {index}"
        )
    call_command("recount")
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(f"{live_server.url}/letters/{letter.slug}/")
    page.get_by_text("5 organisations from 4 countries have signed").wait_for()
    image = page.get_by_role("img", name="World map of the signatories: 4 countries shaded.")
    image.wait_for()
    # Decoded and drawn: an SVG that failed to load or parse has no natural size.
    width = image.evaluate("img => img.complete && img.naturalWidth")
    assert width and width > 0
    box = image.bounding_box()
    table = page.locator(".by-country table").bounding_box()
    assert box["y"] + box["height"] <= table["y"]  # above the counts table

    ours = urlsplit(live_server.url).netloc
    elsewhere = [url for url in requested if urlsplit(url).netloc not in (ours, "")]
    assert any("/map.svg" in url for url in requested)
    assert elsewhere == []

    # The same map opened on its own: each shaded country is named, with its count.
    page.goto(f"{live_server.url}/letters/{letter.slug}/map.svg")
    shaded = page.locator("[data-country]")
    assert sorted(shaded.evaluate_all("nodes => nodes.map(n => n.dataset.country)")) == [
        "BR", "FR", "IN", "KE",
    ]  # fmt: skip
