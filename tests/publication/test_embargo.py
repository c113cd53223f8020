"""An embargoed letter collects signatures through its invite link and shows nothing public
until it opens; opening it reveals the counts and the list at once."""

import pytest
from django.core import mail

from campaigns import services as letter_services
from campaigns.models import Letter
from signatories.models import Signature
from signatories.vetting import published_elsewhere
from tests.factories import LetterFactory
from tests.signatories.helpers import confirm_path, form_data, last_email_to
from tests.signatories.test_counts import approved
from tests.test_no_leak import body

pytestmark = pytest.mark.django_db

TITLE = "Embargoed launch letter about the Northern Dam"


@pytest.fixture
def embargoed():
    letter = LetterFactory(
        title=TITLE, slug="northern-dam", status=Letter.Status.EMBARGOED, requires_approval=False
    )
    approved(letter, country="KE", organisation_name="Early Partner Kenya")
    approved(letter, country="FR", organisation_name="Early Partner France")
    letter.refresh_from_db()
    return letter


def public_urls(letter) -> list[str]:
    slug = letter.slug
    return [
        f"/letters/{slug}/", f"/letters/{slug}/?page=1", f"/letters/{slug}/?q=early",
        f"/letters/{slug}/signatories.csv", f"/letters/{slug}/embed/",
        f"/letters/{slug}/versions/", f"/letters/{slug}/map.svg", f"/letters/{slug}/card.png",
        f"/letters/{slug}/letter.pdf", f"/api/letters/{slug}/",
        f"/api/letters/{slug}/signatories/", f"/api/letters/{slug}/signatories/?country=KE",
        f"/letters/{slug}/sign/", f"/letters/{slug}/sign/?invite=",
        f"/letters/{slug}/sign/?invite=not-the-key", f"/letters/{slug}/sign/check-email/",
    ]  # fmt: skip


LISTINGS = ["/", "/api/letters/", "/letters/feed/", "/sitemap.xml"]


def leaks(letter, text: str) -> list[str]:
    secrets = [TITLE, letter.slug, "Early Partner Kenya", "Early Partner France"]
    return [secret for secret in secrets if secret in text]


def test_every_public_address_of_an_embargoed_letter_is_a_404_and_listings_omit_it(
    client, embargoed
):
    for url in public_urls(embargoed):
        response = client.get(url)
        assert response.status_code == 404, url
        assert leaks(embargoed, body(response)) == [], url
    for url in LISTINGS:
        response = client.get(url)
        assert response.status_code == 200, url
        assert leaks(embargoed, body(response)) == [], url


def test_a_wrong_invite_cannot_post_a_signature(client, embargoed):
    response = client.post(
        f"/letters/{embargoed.slug}/sign/?invite=guess", form_data(contact_email="x@ngo.example")
    )
    assert response.status_code == 404
    assert not Signature.objects.filter(contact_email="x@ngo.example").exists()


def test_signing_through_the_invite_link_works_as_usual_and_opening_reveals_everything(
    client, embargoed
):
    invite = embargoed.get_invite_url()
    form = client.get(invite)
    assert form.status_code == 200
    assert f'href="/letters/{embargoed.slug}/"' not in form.content.decode()  # page is a 404

    response = client.post(invite, form_data(organisation_name="Invited Union Peru", country="PE"))
    assert response.status_code == 302
    check_email = client.get(response["Location"])
    assert check_email.status_code == 200
    assert "Check your email" in check_email.content.decode()
    assert len(mail.outbox) == 1
    confirmed = client.post(confirm_path("amina@khrn.or.ke"))
    assert confirmed.status_code == 200
    signature = Signature.objects.get(organisation_name="Invited Union Peru")
    assert signature.status == Signature.Status.APPROVED  # this letter needs no review

    # Still nothing public: the new signature, like the others, waits for the launch.
    assert client.get(f"/letters/{embargoed.slug}/").status_code == 404
    assert leaks(embargoed, client.get("/").content.decode()) == []

    letter_services.letter_update(
        letter=embargoed, changes={"status": Letter.Status.OPEN}, revision=embargoed.revision
    )
    page = client.get(f"/letters/{embargoed.slug}/").content.decode()
    for name in ("Early Partner Kenya", "Early Partner France", "Invited Union Peru"):
        assert name in page
    assert "3 organisations" in page
    api = client.get(f"/api/letters/{embargoed.slug}/").json()
    assert api["signatories"] == 3
    assert embargoed.slug in client.get("/api/letters/").content.decode()
    assert TITLE in client.get("/").content.decode()
    assert embargoed.slug in client.get("/sitemap.xml").content.decode()
    assert TITLE in client.get("/letters/feed/").content.decode()
    # The invite link keeps working once the letter is open, for those who kept it.
    assert client.get(invite).status_code == 200


def test_a_new_invite_key_shuts_the_old_link(client, embargoed):
    old = embargoed.get_invite_url()
    letter_services.letter_new_invite(letter=embargoed)
    assert client.get(old).status_code == 404
    assert client.get(embargoed.get_invite_url()).status_code == 200
    assert len(embargoed.invite_key) >= 32


def test_each_letter_has_its_own_random_invite_key(db):
    keys = {LetterFactory().invite_key for _ in range(5)}
    assert len(keys) == 5


def test_the_admin_shows_the_invite_link_with_a_copy_button_and_renews_it(admin_client, embargoed):
    page = admin_client.get(f"/admin/campaigns/letter/{embargoed.pk}/change/").content.decode()
    assert f"/letters/{embargoed.slug}/sign/?invite={embargoed.invite_key}" in page
    assert 'data-copy="invite-link"' in page
    assert "New invite link" in page
    old_key = embargoed.invite_key
    response = admin_client.post(f"/admin/campaigns/letter/{embargoed.pk}/invite/renew/")
    assert response.status_code == 302
    embargoed.refresh_from_db()
    assert embargoed.invite_key != old_key
    renew = f"/admin/campaigns/letter/{embargoed.pk}/invite/renew/"
    assert admin_client.get(renew).status_code == 405


def test_staff_preview_an_embargoed_letter_with_a_sign_button_through_the_invite(
    admin_client, embargoed
):
    page = admin_client.get(f"/letters/{embargoed.slug}/")
    assert page.status_code == 200
    assert "no-cache" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]
    assert embargoed.get_invite_url() in page.content.decode()


def test_an_embargoed_letters_signatories_vouch_for_nobody_elsewhere(embargoed):
    assert not published_elsewhere().filter(letter=embargoed).exists()
    letter_services.letter_update(
        letter=embargoed, changes={"status": Letter.Status.OPEN}, revision=embargoed.revision
    )
    assert published_elsewhere().filter(letter=embargoed).count() == 2


def test_the_slug_of_an_embargoed_letter_is_locked(embargoed):
    assert embargoed.slug_locked


def test_only_the_letters_organisers_and_superusers_preview_it(client, embargoed):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    outsider = users.create_user("outsider", password="pw-outsider-1", is_staff=True)
    own = users.create_user("own", password="pw-own-1", is_staff=True)
    embargoed.organisers.add(own)
    for name in ("", "map.svg", "letter.pdf", "versions/"):
        url = f"/letters/{embargoed.slug}/{name}"
        client.force_login(outsider)
        assert client.get(url).status_code == 404, url
        client.force_login(own)
        assert client.get(url).status_code == 200, url
    page = client.get(f"/letters/{embargoed.slug}/").content.decode()
    assert "Early Partner Kenya" in page


@pytest.mark.parametrize("key", ["%C3%A9", "%00", "%F0%9F%98%80", "a" * 5000])
def test_an_odd_invite_key_is_a_plain_404(client, embargoed, key):
    for path in ("sign/", "sign/check-email/"):
        response = client.get(f"/letters/{embargoed.slug}/{path}?invite={key}")
        assert response.status_code == 404


def test_the_invite_sign_page_asks_search_engines_not_to_index_it(client, embargoed):
    page = client.get(embargoed.get_invite_url()).content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in page


def test_emails_about_an_embargoed_letter_say_its_page_opens_at_the_launch(client, embargoed):
    client.post(embargoed.get_invite_url(), form_data(contact_email="early@ngo.example"))
    client.post(confirm_path("early@ngo.example"))
    email = last_email_to("early@ngo.example")  # confirmed, and counted at once
    assert "The letter is not public yet: its page opens at the launch" in email.body
    assert "The letter is not public yet" in email.alternatives[0][0]
