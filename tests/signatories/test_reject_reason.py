"""Rejecting asks the organiser for a reason to tell the signatory; every moderation step and
edit is in the signature's trail, with who and when; an organiser's correction of the published
name leaves the contact's details alone."""

import pytest

from signatories.models import Signature
from tests.signatories.helpers import last_email_to
from tests.signatories.test_admin import CHANGELIST, act, confirmed_signatures
from tests.support.admin import post_change_form

pytestmark = pytest.mark.django_db
REASON = 'We could not verify <b>who</b> you are & "why".\nWrite to us.'


def reject(admin_client, signatures, reason=None):
    """Choose the action, then confirm it on the page it opens (with a reason, or none)."""
    data = {"action": "reject_signatures", "_selected_action": [s.pk for s in signatures]}
    page = admin_client.post(CHANGELIST, data)
    assert page.status_code == 200 and 'name="reason"' in page.text
    confirmed = {**data, "confirm": "yes", "reason": reason or ""}
    return admin_client.post(CHANGELIST, confirmed, follow=True)


def test_the_reject_action_asks_for_a_reason_first(client, admin_client, letter):
    signatures = confirmed_signatures(client, letter)

    page = admin_client.post(
        CHANGELIST,
        {"action": "reject_signatures", "_selected_action": [s.pk for s in signatures]},
    )

    assert "Reason (optional)" in page.text and "Org 0" in page.text and "Org 1" in page.text
    assert set(Signature.objects.values_list("status", flat=True)) == {"verified"}


def test_the_reason_goes_into_the_email_and_the_trail(client, admin_client, letter):
    signature, *_ = confirmed_signatures(client, letter, count=1)

    response = reject(admin_client, [signature], REASON)

    assert "Rejected 1 signature." in response.text
    signature.refresh_from_db()
    assert (signature.status, signature.rejection_reason) == ("rejected", REASON)
    email = last_email_to(signature.contact_email)
    assert "The organisers gave this reason:" in email.body
    assert REASON in email.body  # plain text: as written
    html = email.alternatives[0][0]
    assert "We could not verify &lt;b&gt;who&lt;/b&gt; you are &amp; &quot;why&quot;." in html
    assert "<b>who</b>" not in html
    event = signature.events.get(kind="rejected")
    assert (event.who, event.before, event.after, event.note) == (
        "admin",
        "verified",
        "rejected",
        REASON,
    )
    assert event.at is not None


def test_a_rejection_without_a_reason_says_none(client, admin_client, letter):
    signatures = confirmed_signatures(client, letter)

    response = reject(admin_client, signatures)

    assert "Rejected 2 signatures." in response.text
    for signature in signatures:
        signature.refresh_from_db()
        assert (signature.status, signature.rejection_reason) == ("rejected", "")
        email = last_email_to(signature.contact_email)
        assert "could not accept" in email.body and "reason" not in email.body
        assert signature.events.get(kind="rejected").note == ""


def test_the_reason_is_cleaned_and_limited(client, admin_client, letter):
    signature, *_ = confirmed_signatures(client, letter, count=1)

    too_long = reject(admin_client, [signature], "x" * 501)
    hidden = reject(admin_client, [signature], "Fine\u202etext")

    assert "Ensure this value has at most 500 characters" in too_long.text
    assert "Remove the invisible control characters" in hidden.text
    signature.refresh_from_db()
    assert signature.status == "verified"  # nothing rejected until the reason is acceptable
    reject(admin_client, [signature], "  Not   a\u200b real   group  ")
    signature.refresh_from_db()
    assert signature.rejection_reason == "Not a real group"


def test_every_bulk_action_writes_the_trail_shown_on_the_change_page(client, admin_client, letter):
    to_approve, to_reject = confirmed_signatures(client, letter)

    act(admin_client, "approve_signatures", [to_approve])
    reject(admin_client, [to_reject], "Duplicate of another signature")
    act(admin_client, "withdraw_signatures", [to_approve])

    approved = [(e.kind, e.who, e.before, e.after) for e in to_approve.events.order_by("pk")]
    assert approved == [
        ("submitted", "the signer", "pending", "pending"),
        ("confirmed", "the signer", "pending", "verified"),
        ("approved", "admin", "verified", "approved"),
        ("withdrawn", "admin", "approved", "withdrawn"),
    ]
    page = admin_client.get(f"{CHANGELIST}{to_reject.pk}/change/").text
    trail = page.split("Trail")[1]
    assert "rejected" in trail.lower() and "admin" in trail
    assert "Duplicate of another signature" in trail


def test_editing_the_published_name_leaves_the_contact_alone(client, admin_client, letter):
    signature, *_ = confirmed_signatures(client, letter, count=1)
    contact = (signature.contact_name, signature.contact_role, signature.contact_email)
    url = f"{CHANGELIST}{signature.pk}/change/"

    post_change_form(admin_client, url, organisation_name="Org Zero e.V.")

    signature.refresh_from_db()
    assert signature.organisation_name == "Org Zero e.V."
    assert (signature.contact_name, signature.contact_role, signature.contact_email) == contact
    assert signature.email_domain == "org0.or.ke"
    assert signature.name_key == "org zero"
    event = signature.events.get(kind="edited")
    assert (event.who, event.note) == ("admin", "changed: organisation_name")
    assert "changed: organisation_name" in admin_client.get(url).text
