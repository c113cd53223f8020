import pytest

from campaigns.models import Letter
from tests.factories import LetterFactory

pytestmark = pytest.mark.django_db


def test_an_organiser_drafts_a_letter_in_the_admin(admin_client):
    response = admin_client.post(
        "/admin/campaigns/letter/add/",
        {
            "title": "Stop the crackdown",
            "slug": "stop-the-crackdown",
            "addressee": "The Council",
            "summary": "",
            "body": "We urge you.",
            "status": "draft",
            "requires_approval": "on",
            "goal": "100",
            "closes_at_0": "",
            "closes_at_1": "",
        },
    )

    assert response.status_code == 302
    letter = Letter.objects.get(slug="stop-the-crackdown")
    assert letter.status == "draft" and letter.goal == 100 and letter.requires_approval


def test_the_admin_lists_filters_and_searches_letters(admin_client):
    LetterFactory(title="Alpha appeal", status="open")
    LetterFactory(title="Beta appeal", status="draft")

    assert "Alpha appeal" in admin_client.get("/admin/campaigns/letter/?status__exact=open").text
    assert "Beta appeal" not in admin_client.get("/admin/campaigns/letter/?status__exact=open").text
    assert "Beta appeal" in admin_client.get("/admin/campaigns/letter/?q=beta").text


def test_the_admin_offers_view_on_site_for_a_draft(admin_client):
    letter = LetterFactory(status="draft")

    html = admin_client.get(f"/admin/campaigns/letter/{letter.pk}/change/").text

    assert "View on site" in html


def test_the_letter_list_shows_progress_and_the_review_queue(admin_client):
    from tests.campaigns.test_counts import approved
    from tests.factories import SignatureFactory

    letter = LetterFactory(title="Progress letter")
    for country in ("KE", "NG", "NG"):
        approved(letter, country=country)
    SignatureFactory(letter=letter, status="verified")
    LetterFactory(title="Quiet letter")

    html = admin_client.get("/admin/campaigns/letter/").text

    row = html.split(">Progress letter</a>")[1].split("</tr>")[0]
    assert '<td class="field-signatories">3</td>' in row
    assert f'letter__id__exact={letter.pk}&amp;status__exact=verified">1</a>' in row
    quiet = html.split(">Quiet letter</a>")[1].split("</tr>")[0]
    assert '<td class="field-signatories">0</td>' in quiet
