from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from campaigns.models import Letter
from signatories.models import Signature
from tests.factories import LetterFactory
from tests.signatories.helpers import confirm_path, last_email_to, links_in, minutes_pass, sign

pytestmark = pytest.mark.django_db
EMAIL = "amina@khrn.or.ke"


@pytest.fixture
def pending(client, letter):
    sign(client, letter)
    return Signature.objects.get()


def status_of(signature) -> str:
    signature.refresh_from_db()
    return signature.status


def test_a_scanner_prefetching_the_link_confirms_nothing(client, pending):
    response = client.get(confirm_path(EMAIL))

    assert response.status_code == 200
    assert "Confirm signature" in response.text
    assert "Kenya Human Rights Network" in response.text
    assert pending.letter.title in response.text
    assert "no-store" in response["Cache-Control"]
    assert status_of(pending) == "pending"


def test_confirming_puts_the_signature_under_review_and_says_so_by_email(client, pending):
    response = client.post(confirm_path(EMAIL))

    assert response.status_code == 200
    assert "your signature is confirmed" in response.text
    assert "organisers will now check" in response.text
    assert status_of(pending) == "verified"
    assert pending.confirmed_at is not None
    email = last_email_to(EMAIL)
    assert "under review" in email.subject
    assert "withdraw" in links_in(email)


def test_confirming_on_a_letter_without_review_approves_at_once(client):
    letter = LetterFactory(requires_approval=False)
    sign(client, letter)

    client.post(confirm_path(EMAIL))

    signature = Signature.objects.get()
    assert signature.status == "approved" and signature.approved_at is not None
    email = last_email_to(EMAIL)
    assert "now counts among the signatories" in email.body
    assert "withdraw" in links_in(email)


def test_a_double_post_of_the_confirm_form_confirms_once(client, pending):
    path = confirm_path(EMAIL)

    first = client.post(path)
    second = client.post(path)

    assert first.status_code == 200
    assert second.status_code == 404
    assert "already confirmed" in second.text
    assert status_of(pending) == "verified"
    assert [m.subject for m in mail.outbox].count(last_email_to(EMAIL).subject) == 1


@pytest.mark.parametrize(
    "token",
    [
        "A" * 43,  # the right shape, but no such token
        "short",
        "has spaces in it and is long enough to look real",
        "..%5C..%5Cetc%5Cpasswd-and-some-more-characters",
        "x" * 5000,
        "ünïcödé-tökén-ünïcödé-tökén-ünïcödé-tökén-",
    ],
)
def test_an_unknown_or_junk_confirmation_token_is_a_clear_404(client, pending, token):
    for method in (client.get, client.post):
        response = method(f"/signatures/confirm/{token}/")
        assert response.status_code == 404
        assert "This link does not work" in response.text
    assert status_of(pending) == "pending"


def test_a_token_with_a_slash_in_it_is_the_sites_404(client, pending):
    response = client.get("/signatures/confirm/%2e%2e%2f%2e%2e%2fetc%2fpasswd/")

    assert response.status_code == 404
    assert "Page not found" in response.text


def test_a_tampered_confirmation_token_is_404(client, pending):
    path = confirm_path(EMAIL)
    token = path.split("/")[-2]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    assert client.post(f"/signatures/confirm/{tampered}/").status_code == 404
    assert status_of(pending) == "pending"


def test_an_expired_confirmation_token_is_410_with_a_way_to_sign_again(client, pending):
    Signature.objects.update(confirmation_expires_at=timezone.now() - timedelta(seconds=1))
    path = confirm_path(EMAIL)

    for response in (client.get(path), client.post(path)):
        assert response.status_code == 410
        assert "This link has expired" in response.text
        assert f'href="/letters/{pending.letter.slug}/sign/"' in response.text
    assert status_of(pending) == "pending"


def test_a_signature_submitted_before_the_letter_closed_can_be_confirmed_after(client):
    letter = LetterFactory(closes_at=timezone.now() + timedelta(hours=1))
    sign(client, letter)
    pending = Signature.objects.get()
    Letter.objects.filter(pk=letter.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    path = confirm_path(EMAIL)

    assert client.get(path).status_code == 200
    response = client.post(path)

    assert response.status_code == 200
    assert "your signature is confirmed" in response.text
    assert status_of(pending) == "verified"


def test_a_closed_letter_takes_no_new_submissions_but_says_confirmations_continue(client):
    letter = LetterFactory(status="closed")

    response = sign(client, letter)

    assert response.status_code == 403 and "Signatures closed" in response.text
    page = client.get(f"/letters/{letter.slug}/").text
    assert "This letter no longer takes signatures." in page
    assert "can still confirm their signature" in page


def test_signing_again_after_expiry_sends_a_link_that_works(client, pending):
    Signature.objects.update(confirmation_expires_at=timezone.now() - timedelta(seconds=1))
    minutes_pass(7 * 24 * 60)

    sign(client, pending.letter)
    response = client.post(confirm_path(EMAIL))

    assert response.status_code == 200
    assert Signature.objects.get().status == "verified"  # the expired submission is gone


def confirmed(client, letter) -> Signature:
    sign(client, letter)
    client.post(confirm_path(EMAIL))
    return Signature.objects.get(email_canonical=EMAIL, status__in=["verified", "approved"])


def test_withdrawing_asks_first_then_removes_the_signature(client, letter):
    signature = confirmed(client, letter)
    path = links_in(last_email_to(EMAIL))["withdraw"]

    page = client.get(path)
    assert page.status_code == 200 and "Withdraw signature" in page.text
    assert status_of(signature) == "verified"

    done = client.post(path)
    assert done.status_code == 200 and "withdrawn" in done.text
    assert status_of(signature) == "withdrawn" and signature.withdrawn_at is not None
    email = last_email_to(EMAIL)
    assert "withdrawn" in email.subject.lower()
    assert "withdraw" not in links_in(email)  # nothing left to withdraw


def test_a_used_withdraw_link_says_so(client, letter):
    confirmed(client, letter)
    path = links_in(last_email_to(EMAIL))["withdraw"]
    client.post(path)

    again = client.post(path)

    assert again.status_code == 404
    assert "already withdrawn" in again.text


def test_every_withdraw_link_we_emailed_keeps_working_until_used(client, letter, admin_user):
    from signatories.services import signature_approve
    from tests.conftest import committed

    signature = confirmed(client, letter)
    first_link = links_in(last_email_to(EMAIL))["withdraw"]
    with committed():
        signature_approve(signature=signature, by=admin_user)
    second_link = links_in(last_email_to(EMAIL))["withdraw"]

    assert client.get(first_link).status_code == 200
    assert client.post(first_link).status_code == 200
    assert status_of(signature) == "withdrawn"
    assert client.post(second_link).status_code == 404


def test_a_withdraw_link_survives_a_key_rotation_while_the_old_key_is_a_fallback(
    client, letter, settings
):
    confirmed(client, letter)
    path = links_in(last_email_to(EMAIL))["withdraw"]
    old_key = settings.SECRET_KEY

    settings.SECRET_KEY = "a-brand-new-secret-key-" + "x7Q" * 15
    assert client.get(path).status_code == 404  # signed with a key no longer known
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert client.post(path).status_code == 200


@pytest.mark.parametrize("token", ["nope", "abc:def", "A" * 40 + ":" + "B" * 43, "x" * 3000])
def test_a_forged_withdraw_link_is_404(client, letter, token):
    signature = confirmed(client, letter)

    assert client.get(f"/signatures/withdraw/{token}/").status_code == 404
    assert client.post(f"/signatures/withdraw/{token}/").status_code == 404
    assert status_of(signature) == "verified"


def test_confirming_after_withdrawal_does_nothing(client, letter):
    sign(client, letter)
    path = confirm_path(EMAIL)
    client.post(path)
    client.post(links_in(last_email_to(EMAIL))["withdraw"])

    response = client.post(path)

    assert response.status_code == 404
    assert Signature.objects.get().status == "withdrawn"


def test_after_withdrawing_the_organisation_can_sign_again(client, letter):
    confirmed(client, letter)
    client.post(links_in(last_email_to(EMAIL))["withdraw"])

    sign(client, letter)
    client.post(confirm_path(EMAIL))

    statuses = sorted(Signature.objects.values_list("status", flat=True))
    assert statuses == ["verified", "withdrawn"]
