"""Delivering a letter: recorded with whom and when, it closes the letter and freezes its list
(withdrawals still honoured); its page says it was delivered."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from campaigns import services as letter_services
from campaigns.errors import DeliveredLetter, NotDeliverable
from campaigns.models import Letter
from signatories import services
from signatories.counts import letter_counts
from signatories.errors import LetterDelivered
from signatories.models import Signature
from tests.factories import LetterFactory, SignatureFactory, organiser
from tests.signatories.helpers import confirm_path, last_email_to, sign
from tests.signatories.test_counts import approved
from tests.support.admin import post_change_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter():
    letter = LetterFactory(addressee="the UN Secretary-General", opened_at=timezone.now())
    approved(letter, country="KE", organisation_name="Kenya Rights Watch")
    letter.refresh_from_db()
    return letter


def deliver(admin_client, letter, **data):
    data = {"delivered_to": "Office of the Secretary-General", "delivered_on": "", **data}
    if not data["delivered_on"]:
        data["delivered_on"] = timezone.localdate().isoformat()
    return admin_client.post(f"/admin/campaigns/letter/{letter.pk}/deliver/", data)


def test_the_deliver_form_suggests_the_addressee_and_records_the_delivery(admin_client, letter):
    change = admin_client.get(f"/admin/campaigns/letter/{letter.pk}/change/").content.decode()
    assert f"/admin/campaigns/letter/{letter.pk}/deliver/" in change
    form = admin_client.get(f"/admin/campaigns/letter/{letter.pk}/deliver/").content.decode()
    assert 'value="the UN Secretary-General"' in form

    response = deliver(admin_client, letter)
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.delivered_to == "Office of the Secretary-General"
    assert letter.delivered_at is not None
    assert letter.status == Letter.Status.CLOSED and letter.closed_at is not None

    page = admin_client.get(f"/letters/{letter.slug}/").content.decode()
    assert "Delivered on" in page and "Office of the Secretary-General" in page
    assert "Kenya Rights Watch" in page
    change = admin_client.get(f"/admin/campaigns/letter/{letter.pk}/change/").content.decode()
    assert f"/admin/campaigns/letter/{letter.pk}/deliver/" not in change  # no second delivery


def test_a_delivery_date_in_the_future_or_before_the_opening_is_refused(admin_client, letter):
    response = deliver(admin_client, letter, delivered_on="2999-01-01")
    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()
    response = deliver(admin_client, letter, delivered_on="1999-01-01")
    assert "had not opened yet" in response.content.decode()
    response = deliver(admin_client, letter, delivered_on="not a date")
    assert response.status_code == 200
    letter.refresh_from_db()
    assert letter.delivered_at is None


def test_after_delivery_nothing_more_is_approved_imported_or_counted(letter, client, tmp_path):
    waiting = SignatureFactory(letter=letter, status="verified", country="FR")
    letter_services.letter_deliver(letter=letter, to="the UN")
    with pytest.raises(LetterDelivered):
        services.signature_approve(signature=waiting, by=organiser())
    waiting.refresh_from_db()
    assert waiting.status == Signature.Status.VERIFIED

    file = tmp_path / "late.csv"
    file.write_text("organisation_name,country,contact_email\nLate Group,DE,late@late.example\n")
    with pytest.raises(CommandError, match="delivered"):
        call_command("import_signatures", letter.slug, str(file), "--approve")
    assert letter_counts(letter).signatories == 1


def test_a_confirmation_after_delivery_is_kept_but_not_counted(client):
    letter = LetterFactory(requires_approval=False)
    sign(client, letter, contact_email="late@ngo.example", country="FR")
    letter_services.letter_deliver(letter=letter, to="the UN")
    assert client.post(confirm_path("late@ngo.example")).status_code == 200
    signature = Signature.objects.get(contact_email="late@ngo.example")
    assert signature.status == Signature.Status.VERIFIED
    assert letter_counts(letter).signatories == 0


def test_a_signatory_may_still_withdraw_after_delivery(letter):
    leaving = approved(letter, country="UG", organisation_name="Leaving Group")
    letter_services.letter_deliver(letter=letter, to="the UN")
    services.signature_withdraw_by_staff(signature=leaving, by=organiser())
    assert letter_counts(letter).signatories == 1


def test_a_delivered_letter_cannot_be_reopened_or_delivered_again(admin_client, letter):
    letter_services.letter_deliver(letter=letter, to="the UN")
    url = f"/admin/campaigns/letter/{letter.pk}/change/"
    response = post_change_form(admin_client, url, status="open")
    assert response.status_code == 200
    assert "delivered on" in response.content.decode()
    letter.refresh_from_db()
    assert letter.status == Letter.Status.CLOSED
    with pytest.raises(NotDeliverable):
        letter_services.letter_deliver(letter=letter, to="someone else")


@pytest.mark.parametrize("status", [Letter.Status.DRAFT, Letter.Status.EMBARGOED])
def test_only_a_published_letter_can_be_delivered(admin_client, status):
    letter = LetterFactory(status=status)
    with pytest.raises(NotDeliverable):
        letter_services.letter_deliver(letter=letter, to="the UN")
    response = deliver(admin_client, letter)
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.delivered_at is None


def test_after_delivery_an_organiser_may_hide_but_not_show_more(admin_client, letter):
    unnamed = approved(letter, country="UG", organisation_name="Quiet Group", list_publicly=False)
    named = Signature.objects.get(organisation_name="Kenya Rights Watch")
    letter_services.letter_deliver(letter=letter, to="the UN")
    for signature, changes in [
        (unnamed, {"list_publicly": True}),
        (named, {"organisation_name": "Added After Delivery"}),
        (named, {"country": "FR"}),
    ]:
        with pytest.raises(LetterDelivered):
            services.signature_edit_by_staff(
                signature=signature, changes=changes, revision=signature.revision, by=organiser()
            )
    services.signature_edit_by_staff(
        signature=named, changes={"list_publicly": False}, revision=named.revision, by=organiser()
    )
    assert "Kenya Rights Watch" not in admin_client.get(f"/letters/{letter.slug}/").text

    url = f"/admin/signatories/signature/{unnamed.pk}/change/"
    response = post_change_form(admin_client, url, list_publicly=True)
    assert response.status_code == 302
    messages = admin_client.get(response["Location"]).content.decode()
    assert "the letter has been delivered" in messages
    unnamed.refresh_from_db()
    assert unnamed.list_publicly is False


def test_a_delivered_letters_text_and_addressee_stay_as_delivered(admin_client, letter):
    letter_services.letter_deliver(letter=letter, to="the UN")
    letter.refresh_from_db()
    for changes in [{"body": "Rewritten"}, {"title": "New"}, {"status": "open"}]:
        with pytest.raises(DeliveredLetter):
            letter_services.letter_update(letter=letter, changes=changes, revision=letter.revision)
    url = f"/admin/campaigns/letter/{letter.pk}/change/"
    response = post_change_form(admin_client, url, body_en="Rewritten after delivery")
    assert response.status_code == 200
    assert "this stays as delivered" in response.content.decode()
    letter_services.letter_update(
        letter=letter, changes={"goal": 500}, revision=letter.revision
    )  # what was not delivered may change


def test_whom_it_was_delivered_to_cannot_hide_direction_overrides(admin_client, letter):
    response = deliver(admin_client, letter, delivered_to="the \u202eNU")
    assert response.status_code == 200
    assert "invisible control characters" in response.content.decode()
    response = deliver(admin_client, letter, delivered_on="0001-01-01")
    assert "had not opened yet" in response.content.decode()


def test_a_signer_confirming_after_delivery_is_told_they_are_not_added(client):
    letter = LetterFactory()
    sign(client, letter, contact_email="late@ngo.example", country="FR")
    letter_services.letter_deliver(letter=letter, to="the UN")
    page = client.post(confirm_path("late@ngo.example")).content.decode()
    assert "before this confirmation, so its list of signatories no longer grows" in page
    email = last_email_to("late@ngo.example")
    assert "is not added to it" in email.body
    assert "will now check it" not in email.body
