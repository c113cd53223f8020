"""The embeddable counter: the one page other sites may frame."""

import pytest
from django.utils.html import strip_tags

from tests.factories import LetterFactory
from tests.signatories.test_counts import approved

pytestmark = pytest.mark.django_db


def test_the_counter_shows_the_counts_and_opens_the_sign_form_in_a_new_tab(client):
    letter = LetterFactory(goal=10)
    approved(letter, country="KE")
    approved(letter, country="NG", organisation_name="Second Group")

    response = client.get(f"/letters/{letter.slug}/embed/")

    assert response.status_code == 200
    text = " ".join(strip_tags(response.text).split())
    assert "2 organisations from 2 countries have signed" in text
    assert "2 of a goal of 10" in text
    assert f'href="/letters/{letter.slug}/sign/" target="_blank" rel="noopener"' in response.text


def test_only_the_counter_may_be_framed_by_other_sites(client, letter):
    embed = client.get(f"/letters/{letter.slug}/embed/")
    page = client.get(f"/letters/{letter.slug}/")

    assert "frame-ancestors *" in embed["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY"


def test_a_closed_letters_counter_says_so_and_a_drafts_is_not_found(client):
    closed = LetterFactory(status="closed")
    draft = LetterFactory(status="draft")

    assert "closed to new signatures" in client.get(f"/letters/{closed.slug}/embed/").text
    assert "/sign/" not in client.get(f"/letters/{closed.slug}/embed/").text
    assert client.get(f"/letters/{draft.slug}/embed/").status_code == 404


def test_the_letters_admin_page_gives_the_snippet_to_paste(admin_client):
    letter = LetterFactory(title='The "quoted" letter')

    page = admin_client.get(f"/admin/campaigns/letter/{letter.pk}/change/").text

    assert (
        f"&lt;iframe src=&quot;http://testserver/letters/{letter.slug}/embed/&quot; "
        "title=&quot;The &amp;quot;quoted&amp;quot; letter&quot;"
    ) in page
