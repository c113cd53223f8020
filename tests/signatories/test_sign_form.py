import re

import pytest
from django.core import mail
from django.utils import timezone

from campaigns.models import Letter
from signatories.models import Signature
from tests.factories import LetterFactory
from tests.signatories.helpers import form_data, last_email_to, links_in, sign

pytestmark = pytest.mark.django_db


def test_the_form_shows_every_field_beside_the_letter(client, letter):
    response = client.get(f"/letters/{letter.slug}/sign/")

    assert response.status_code == 200
    html = response.text
    for name in form_data():
        assert f'name="{name}"' in html
    assert letter.summary in html and "Read the full letter" in html
    assert "Untick to be counted but not named" in html
    assert re.search(r'<input type="checkbox" name="list_publicly"[^>]* checked', html)
    form = response.context["form"]
    assert form["authorised"].value() is None and form["consent"].value() is None
    assert "no-store" in response["Cache-Control"]


def test_a_valid_signature_redirects_to_check_your_email_and_sends_a_link(client, letter):
    response = sign(client, letter)

    assert response.status_code == 302
    assert response["Location"] == f"/letters/{letter.slug}/sign/check-email/"
    signature = Signature.objects.get()
    assert signature.status == "pending"
    assert signature.organisation_name == "Kenya Human Rights Network"
    assert signature.email_canonical == "amina@khrn.or.ke"
    assert signature.website_domain == "khrn.or.ke"
    assert signature.email_domain_matches is True
    assert signature.ip_hash and "127.0.0.1" not in signature.ip_hash
    email = last_email_to("amina@khrn.or.ke")
    assert letter.title in email.subject
    assert letter.title in email.body
    assert "Kenya Human Rights Network" not in email.body  # nothing the signer typed
    assert "http://testserver/signatures/confirm/" in email.body
    assert "Ignore this email" in email.body
    assert "until" in email.body  # the expiry
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html" and links_in(email)["confirm"] in html


def test_the_check_email_page_says_what_to_do_next(client, letter):
    html = client.get(f"/letters/{letter.slug}/sign/check-email/").text

    assert "Check your email" in html
    assert "7 days" in html
    assert "spam" in html
    assert "organisers check the signature" in html


def test_a_personal_address_does_not_match_the_website(client, letter):
    sign(client, letter, contact_email="amina@gmail.com", website="https://gmail.com")

    assert Signature.objects.get().email_domain_matches is False


def test_a_subdomain_address_matches_the_registrable_domain(client, letter):
    sign(client, letter, contact_email="a@mail.khrn.org.uk", website="https://www.khrn.org.uk/en")

    signature = Signature.objects.get()
    assert signature.website_domain == "khrn.org.uk" and signature.email_domain_matches


def test_a_website_without_a_scheme_is_taken_as_https(client, letter):
    sign(client, letter, website="khrn.or.ke")

    assert Signature.objects.get().website == "https://khrn.or.ke"


BAD_INPUT = [
    ("organisation_name", "", "This field is required."),
    ("organisation_name", "x" * 201, "at most 200 characters"),
    ("organisation_name", "Evil\x07Corp", "control characters"),
    ("organisation_name", "Group \u202eevil", "control characters"),
    ("country", "", "This field is required."),
    ("country", "ZZ", "Select a valid choice"),
    ("country", "Kenya", "Select a valid choice"),
    ("contact_name", "", "This field is required."),
    ("contact_name", "y" * 151, "at most 150 characters"),
    ("contact_role", "r" * 151, "at most 150 characters"),
    ("contact_email", "", "This field is required."),
    ("contact_email", "not-an-email", "Enter a valid email address."),
    ("contact_email", "a@b", "Enter a valid email address."),
    ("website", "http://", "Enter a valid URL."),
    ("website", "javascript:alert(1)", "Enter a valid URL."),
    ("website", "https://" + "a" * 200 + ".org", "at most 200 characters"),
    ("authorised", None, "Only someone who may sign for the organisation can sign."),
    ("consent", None, "We need your agreement to process your details."),
    ("comment", "c" * 1001, "at most 1000 characters"),
    ("comment", "nul\x00byte", "Remove the invisible control characters"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_INPUT)
def test_bad_input_gets_a_field_error_saves_nothing_and_keeps_the_rest(
    client, letter, field, value, message
):
    response = sign(client, letter, **{field: value})

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert "Please correct the fields marked below." in response.text
    assert Signature.objects.count() == 0
    assert mail.outbox == []
    kept = "Amina Otieno" if field != "contact_name" else "Kenya Human Rights Network"
    assert f'value="{kept}"' in response.text


def test_a_comment_may_have_line_breaks(client, letter):
    sign(client, letter, comment="First line.\r\nSecond line.\u2028Third.")

    assert Signature.objects.get().comment == "First line.\nSecond line.\nThird."


def test_a_draft_letter_has_no_form(client):
    draft = LetterFactory(status=Letter.Status.DRAFT)

    assert client.get(f"/letters/{draft.slug}/sign/").status_code == 404
    assert sign(client, draft).status_code == 404
    assert Signature.objects.count() == 0


@pytest.mark.parametrize(
    "closed",
    [
        {"status": Letter.Status.CLOSED},
        {"status": Letter.Status.OPEN, "closes_at": timezone.now()},
    ],
)
def test_a_closed_letter_shows_signatures_closed_and_saves_nothing(client, closed):
    letter = LetterFactory(**closed)

    page = client.get(f"/letters/{letter.slug}/sign/")
    post = sign(client, letter)

    assert page.status_code == 200 and "Signatures closed" in page.text
    assert 'name="organisation_name"' not in page.text
    assert post.status_code == 403 and "Signatures closed" in post.text
    assert Signature.objects.count() == 0
    assert mail.outbox == []


def test_the_sign_page_only_takes_get_and_post(client, letter):
    assert client.put(f"/letters/{letter.slug}/sign/").status_code == 405


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("organisation_name", "Evil\u202eOrg"),
        ("contact_name", "Name\x1bwith escape"),
        ("contact_role", "Role\u2066isolate"),
        ("comment", "Comment \u202d override"),
    ],
)
def test_the_model_itself_refuses_control_and_direction_characters(letter, field, value):
    """So every path that writes a signature (the sign form, the admin, imports) applies it."""
    from django.core.exceptions import ValidationError

    from tests.factories import SignatureFactory

    signature = SignatureFactory.build(letter=letter, **{field: value})

    with pytest.raises(ValidationError) as refused:
        signature.full_clean(exclude=["withdraw_key"])
    assert "control characters" in str(refused.value.message_dict[field])
