import pytest
from django.utils import timezone

from campaigns.models import Letter
from tests.factories import LetterFactory

pytestmark = pytest.mark.django_db


def test_an_organiser_drafts_a_letter_in_the_admin(admin_client):
    response = admin_client.post(
        "/admin/campaigns/letter/add/",
        {
            "language": "en",
            "title_en": "Stop the crackdown",
            "slug": "stop-the-crackdown",
            "addressee": "The Council",
            "summary_en": "",
            "body_en": "We urge you.",
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
    from tests.factories import SignatureFactory
    from tests.signatories.test_counts import approved

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


def test_the_slug_of_an_opened_letter_is_shown_but_cannot_be_changed(admin_client):
    from tests.support.admin import post_change_form

    letter = LetterFactory(status="open", slug="published-address", opened_at=timezone.now())
    url = f"/admin/campaigns/letter/{letter.pk}/change/"
    assert 'name="slug"' not in admin_client.get(url).text

    response = post_change_form(admin_client, url, slug="new-address", title_en="Retitled")

    assert response.status_code == 302
    letter.refresh_from_db()
    assert (letter.slug, letter.title) == ("published-address", "Retitled")


def test_a_draft_slug_can_still_change(admin_client):
    from tests.support.admin import post_change_form

    letter = LetterFactory(status="draft", slug="first-idea")
    url = f"/admin/campaigns/letter/{letter.pk}/change/"

    assert post_change_form(admin_client, url, slug="better-idea").status_code == 302

    letter.refresh_from_db()
    assert letter.slug == "better-idea"


def test_a_stale_letter_form_is_refused_and_overwrites_nothing(admin_client):
    from tests.support.admin import change_form_data, post_change_form

    letter = LetterFactory(title="Original", summary="")
    url = f"/admin/campaigns/letter/{letter.pk}/change/"
    opened = change_form_data(admin_client, url)
    post_change_form(admin_client, url, summary_en="Another organiser's summary")

    response = admin_client.post(url, {**opened, "title_en": "My title"})

    assert "Someone else saved this page after you opened it" in response.text
    letter.refresh_from_db()
    assert (letter.title, letter.summary) == ("Original", "Another organiser's summary")


def test_approvals_meanwhile_do_not_make_a_letter_form_stale(admin_client):
    from tests.signatories.test_counts import approved
    from tests.support.admin import change_form_data

    letter = LetterFactory(title="Original")
    url = f"/admin/campaigns/letter/{letter.pk}/change/"
    opened = change_form_data(admin_client, url)
    approved(letter, country="KE")  # bumps the published version, not the letter's revision

    response = admin_client.post(url, {**opened, "title_en": "Retitled"})

    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.title == "Retitled"


def test_a_form_opened_before_the_periodic_close_cannot_reopen_the_letter(admin_client):
    from datetime import timedelta

    from campaigns import services as letter_services
    from tests.support.admin import change_form_data

    letter = LetterFactory(opened_at=timezone.now(), closes_at=timezone.now() + timedelta(hours=1))
    url = f"/admin/campaigns/letter/{letter.pk}/change/"
    data = change_form_data(admin_client, url, summary_en="A better summary.")
    # The closing date passes while the form is open; the periodic job stamps the letter closed.
    Letter.objects.filter(pk=letter.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    assert letter_services.letters_close_due() == 1

    response = admin_client.post(url, data)

    assert "Someone else saved this page after you opened it" in response.text
    letter.refresh_from_db()
    assert (letter.status, letter.closed_at is not None, letter.summary) == (
        "closed",
        True,
        "A short summary of the letter.",
    )
