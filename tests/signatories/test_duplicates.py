import pytest
from django.core import mail
from django.db import IntegrityError

from signatories.models import Signature
from tests.factories import SignatureFactory
from tests.signatories.helpers import confirm_path, last_email_to, links_in, minutes_pass, sign

pytestmark = pytest.mark.django_db
EMAIL = "amina@khrn.or.ke"


def test_signing_twice_while_pending_looks_the_same_and_sends_a_fresh_link(client, letter):
    first = sign(client, letter)
    old_link = confirm_path(EMAIL)
    minutes_pass()
    second = sign(client, letter, contact_email="Amina@KHRN.or.ke", organisation_name="KHRN")

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Signature.objects.count() == 1
    new_link = confirm_path("Amina@KHRN.or.ke")
    assert new_link != old_link
    assert client.post(old_link).status_code == 404  # the old link stopped working
    assert client.get(new_link).status_code == 200
    assert "KHRN" in client.get(new_link).text  # the latest details are what gets confirmed


def test_signing_again_once_confirmed_emails_already_signed_and_changes_nothing(client, letter):
    sign(client, letter)
    client.post(confirm_path(EMAIL))
    sent_before = len(mail.outbox)
    minutes_pass()

    response = sign(client, letter, organisation_name="Someone Else Entirely")

    assert response.status_code == 302
    assert response["Location"] == f"/letters/{letter.slug}/sign/check-email/"
    assert len(mail.outbox) == sent_before + 1
    email = last_email_to(EMAIL)
    assert "already signed" in email.subject
    assert "confirm" not in links_in(email) and "withdraw" in links_in(email)
    signature = Signature.objects.get()
    assert signature.status == "verified"
    assert signature.organisation_name == "Kenya Human Rights Network"


def test_signing_again_after_rejection_says_so_without_a_withdraw_link(client, letter, admin_user):
    from signatories.services import signature_reject
    from tests.conftest import committed

    sign(client, letter)
    client.post(confirm_path(EMAIL))
    with committed():
        signature_reject(signature=Signature.objects.get(), by=admin_user)
    minutes_pass()

    sign(client, letter)

    email = last_email_to(EMAIL)
    assert "already signed" in email.subject and "could not accept" in email.body
    assert links_in(email) == {}


def test_signing_again_at_once_sends_nothing_more_and_keeps_the_link(client, letter):
    sign(client, letter)
    link = confirm_path(EMAIL)

    for _ in range(5):  # a double click, or someone hammering another's address
        assert sign(client, letter).status_code == 302

    assert len(mail.outbox) == 1
    assert client.get(link).status_code == 200


def test_the_pages_never_say_whether_an_address_signed(client, letter):
    new = sign(client, letter, contact_email="new@khrn.or.ke")
    repeat = sign(client, letter, contact_email="new@khrn.or.ke")

    page_new = client.get(new["Location"]).text
    page_repeat = client.get(repeat["Location"]).text

    assert new["Location"] == repeat["Location"]
    assert page_new.replace(" ", "") == page_repeat.replace(" ", "")


def test_the_database_refuses_two_live_signatures_for_one_address(letter):
    SignatureFactory(letter=letter, email_canonical="x@y.org")
    with pytest.raises(IntegrityError):
        SignatureFactory(letter=letter, email_canonical="x@y.org")


def test_a_withdrawn_signature_does_not_block_a_new_one(letter):
    SignatureFactory(letter=letter, email_canonical="x@y.org", status="withdrawn")
    SignatureFactory(letter=letter, email_canonical="x@y.org")

    assert Signature.objects.live().count() == 1


def test_the_same_address_may_sign_different_letters(client, letter):
    from tests.factories import LetterFactory

    other = LetterFactory()
    sign(client, letter)
    sign(client, other)

    assert Signature.objects.count() == 2
