import pytest
from django.contrib.admin.models import LogEntry

from signatories.models import Signature
from tests.factories import SignatureFactory
from tests.signatories.helpers import confirm_path, last_email_to, links_in, sign

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/signatories/signature/"


def confirmed_signatures(client, letter, count=2) -> list[Signature]:
    for n in range(count):
        email = f"person{n}@org{n}.or.ke"
        sign(client, letter, contact_email=email, organisation_name=f"Org {n}")
        client.post(confirm_path(email))
    return list(Signature.objects.order_by("pk"))


def act(admin_client, action, signatures):
    return admin_client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [s.pk for s in signatures]},
        follow=True,
    )


def test_approving_in_bulk_publishes_emails_and_records_who(client, admin_client, letter):
    signatures = confirmed_signatures(client, letter)

    response = act(admin_client, "approve_signatures", signatures)

    assert "Approved 2 signatures." in response.text
    for signature in signatures:
        signature.refresh_from_db()
        assert signature.status == "approved"
        assert signature.reviewed_by.username == "admin" and signature.approved_at
        email = last_email_to(signature.contact_email)
        assert "published" in email.subject and "withdraw" in links_in(email)
    assert LogEntry.objects.filter(change_message="Approved").count() == 2


def test_rejecting_in_bulk(client, admin_client, letter):
    signatures = confirmed_signatures(client, letter)

    response = act(admin_client, "reject_signatures", signatures)

    assert "Rejected 2 signatures." in response.text
    assert set(Signature.objects.values_list("status", flat=True)) == {"rejected"}
    assert "could not accept" in last_email_to(signatures[0].contact_email).body


def test_approving_what_is_not_awaiting_review_is_refused_with_a_message(
    client, admin_client, letter
):
    verified, *_ = confirmed_signatures(client, letter, count=1)
    sign(client, letter, contact_email="late@org.or.ke", organisation_name="Late Org")
    pending = Signature.objects.get(status="pending")

    response = act(admin_client, "approve_signatures", [verified, pending])

    assert "Approved 1 signature." in response.text
    assert "1 signature was not approved: it is not awaiting review." in response.text
    assert "Late Org (Pending email confirmation)" in response.text
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_rejecting_an_approved_signature_is_refused(client, admin_client, letter):
    signatures = confirmed_signatures(client, letter, count=1)
    act(admin_client, "approve_signatures", signatures)

    response = act(admin_client, "reject_signatures", signatures)

    assert "not awaiting review" in response.text
    assert Signature.objects.get().status == "approved"


def test_resending_a_confirmation_email_sends_a_fresh_link(client, admin_client, letter):
    sign(client, letter)
    old = confirm_path("amina@khrn.or.ke")

    response = act(admin_client, "resend_confirmation_email", Signature.objects.all())

    assert "Sent a fresh confirmation link for 1 signature." in response.text
    new = confirm_path("amina@khrn.or.ke")
    assert new != old and client.get(new).status_code == 200


def test_withdrawing_from_the_admin(client, admin_client, letter):
    signatures = confirmed_signatures(client, letter, count=1)

    response = act(admin_client, "withdraw_signatures", signatures)

    assert "Withdrew 1 signature." in response.text
    assert Signature.objects.get().status == "withdrawn"


def test_organisers_search_by_email_and_domain_and_filter_by_match(admin_client, letter):
    SignatureFactory(
        letter=letter, organisation_name="Match Org", contact_email="a@match.or.ke",
        website_domain="match.or.ke", email_domain_matches=True,
    )  # fmt: skip
    SignatureFactory(letter=letter, organisation_name="Gmail Org", contact_email="b@gmail.com")

    assert "Match Org" in admin_client.get(CHANGELIST + "?q=a@match.or.ke").text
    assert "Gmail Org" not in admin_client.get(CHANGELIST + "?q=match.or.ke").text
    filtered = admin_client.get(CHANGELIST + "?email_domain_matches__exact=1").text
    assert "Match Org" in filtered and "Gmail Org" not in filtered


def test_a_failed_email_is_visible_in_admin(admin_client, letter):
    signature = SignatureFactory(
        letter=letter, organisation_name="Bounced Org", email_state="failed",
        email_error="550 5.1.1 Mailbox unavailable", email_attempts=1,
    )  # fmt: skip

    listing = admin_client.get(CHANGELIST + "?email_state__exact=failed").text
    detail = admin_client.get(f"{CHANGELIST}{signature.pk}/change/").text

    assert "Bounced Org" in listing
    assert "550 5.1.1 Mailbox unavailable" in detail


def test_the_lifecycle_and_the_verified_address_cannot_be_edited_by_hand(admin_client, letter):
    signature = SignatureFactory(letter=letter)

    html = admin_client.get(f"{CHANGELIST}{signature.pk}/change/").text

    assert 'name="organisation_name"' in html  # the form is there…
    assert 'name="status"' not in html  # …without the lifecycle
    assert 'name="contact_email"' not in html and signature.contact_email in html
