"""One address, several submissions: each keeps its own details and link, the one confirmed is
the signature, and nobody without the mailbox can change what is published for it."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from signatories.models import Signature
from tests.conftest import committed
from tests.factories import LetterFactory, SignatureFactory
from tests.signatories.helpers import (
    confirm_path,
    last_email_to,
    links_in,
    minutes_pass,
    sign,
)

pytestmark = pytest.mark.django_db
EMAIL = "amina@khrn.or.ke"


def confirm_links(address: str) -> list[str]:
    """Every confirmation link emailed to `address`, oldest first."""
    return [
        links_in(message)["confirm"]
        for message in mail.outbox
        if address in message.to and "confirm" in links_in(message)
    ]


def test_someone_else_resubmitting_cannot_rename_unname_or_kill_the_owners_link(client, letter):
    # The owner asks not to be named.
    sign(client, letter, organisation_name="Quiet Group", list_publicly=None)
    owners_link = confirm_path(EMAIL)
    minutes_pass()
    # Someone who knows the address submits other details, named.
    sign(client, letter, organisation_name="Loud Impostor", list_publicly="on")

    assert "Quiet Group" in client.get(owners_link).text  # the link shows its own details
    response = client.post(owners_link)

    assert response.status_code == 200
    signature = Signature.objects.get()  # the other submission is discarded
    assert (signature.status, signature.organisation_name) == ("verified", "Quiet Group")
    assert signature.list_publicly is False
    assert "1 other unconfirmed submissions" in signature.events.get(kind="confirmed").note


def test_each_link_confirms_exactly_the_details_submitted_with_it(client, letter):
    sign(client, letter, organisation_name="First Spelling")
    minutes_pass()
    sign(client, letter, organisation_name="Second Spelling", list_publicly=None)
    first, second = confirm_links(EMAIL)

    assert "Second Spelling" in client.get(second).text
    client.post(second)

    signature = Signature.objects.get()
    assert (signature.organisation_name, signature.list_publicly) == ("Second Spelling", False)
    assert client.post(first).status_code == 404  # its submission was discarded


def test_once_one_link_is_confirmed_the_others_confirm_nothing(client, letter):
    sign(client, letter, organisation_name="Mine")
    minutes_pass()
    sign(client, letter, organisation_name="Not mine")
    mine, not_mine = confirm_links(EMAIL)

    client.post(mine)

    assert client.post(not_mine).status_code == 404
    assert list(Signature.objects.values_list("organisation_name", "status")) == [
        ("Mine", "verified")
    ]


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
        assert sign(client, letter, contact_email="Amina@KHRN.or.ke").status_code == 302

    assert len(mail.outbox) == 1
    assert Signature.objects.count() == 1
    assert client.get(link).status_code == 200


def test_someone_squatting_an_address_blocks_it_for_a_day_at_most(client, letter):
    """Whoever knows an address can use up its daily emails (the price of capping them), but
    cannot lock its owner out for the week their links stay valid."""
    start = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        for n in range(5):  # a few minutes apart, under the resubmission throttle
            sign(client, letter, organisation_name=f"Squatter {n}", list_publicly=None)
            clock.shift(timedelta(minutes=3))
        mail.outbox.clear()
        sign(client, letter, organisation_name="Kenya Human Rights Network")
        assert mail.outbox == []  # today's emails for this inbox are spent

        clock.shift(timedelta(days=1))
        sign(client, letter, organisation_name="Kenya Human Rights Network")
        response = client.post(confirm_path(EMAIL))

    assert response.status_code == 200
    signature = Signature.objects.get()
    assert (signature.organisation_name, signature.list_publicly) == (
        "Kenya Human Rights Network",
        True,
    )


def test_signing_with_a_signers_address_never_cancels_an_email_on_its_way_to_them(client, letter):
    from django.test import TestCase
    from django.utils import timezone

    from signatories import outbox, services
    from tests.factories import organiser

    signature = SignatureFactory(
        letter=letter, contact_email=EMAIL, email_canonical=EMAIL, status="verified",
        confirmed_at=timezone.now(),
    )  # fmt: skip
    with TestCase.captureOnCommitCallbacks(execute=False) as approval_job:
        services.signature_approve(signature=signature, by=organiser())
    signature.refresh_from_db()
    # The approval email met a passing SMTP failure and waits for its retry.
    outbox._record(
        signature.pk, signature.email_job, state="queued", error="421 busy",
        due_at=timezone.now() - timedelta(seconds=1),
    )  # fmt: skip
    minutes_pass()
    sign(client, letter, organisation_name="Anyone at all")  # knows the address, nothing else
    for job in approval_job:
        job()  # the retry comes due

    assert [message.subject.split(":")[0] for message in mail.outbox] == [
        "Your signature is published"
    ]


def test_an_enumerator_learns_nothing_from_the_response_or_the_work_done(letter):
    """What someone probing for who signed could compare: the status, the redirect, the page,
    how much work the request does before it answers (the database statements, a stand-in for
    its timing), and the emails: one each, queued to go after the response, to the address
    itself, so only its owner learns anything."""
    from django.test import Client, TestCase

    browser = Client()
    with committed():
        sign(browser, letter, contact_email="signed@khrn.or.ke")
    with committed():
        browser.post(confirm_path("signed@khrn.or.ke"))
    minutes_pass()
    mail.outbox.clear()

    seen = {}
    for address in ("new@khrn.or.ke", "signed@khrn.or.ke"):
        with (
            TestCase.captureOnCommitCallbacks() as jobs,
            CaptureQueriesContext(connection) as statements,
        ):
            response = sign(browser, letter, contact_email=address)
        seen[address] = (response, len(statements), len(jobs))
        for job in jobs:
            job()

    (new, new_statements, new_jobs), (known, known_statements, known_jobs) = seen.values()
    assert (new.status_code, new["Location"]) == (known.status_code, known["Location"])
    assert new.content == known.content
    assert new_jobs == known_jobs == 1  # one email each, sent after the response
    # A handful of indexed statements apart (the new submission's inserts): well under a
    # millisecond on the same database, lost in any network's jitter.
    assert abs(new_statements - known_statements) <= 6, (new_statements, known_statements)
    assert sorted(message.to[0] for message in mail.outbox) == [
        "new@khrn.or.ke",
        "signed@khrn.or.ke",
    ]
    assert "confirm" in links_in(last_email_to("new@khrn.or.ke"))
    assert "already signed" in last_email_to("signed@khrn.or.ke").subject


def test_the_database_refuses_two_confirmed_signatures_for_one_address(letter):
    SignatureFactory(letter=letter, email_canonical="x@y.org", status="verified")
    SignatureFactory(letter=letter, email_canonical="x@y.org", status="pending")  # fine
    with pytest.raises(IntegrityError):
        SignatureFactory(letter=letter, email_canonical="x@y.org", status="approved")


def test_a_withdrawn_signature_does_not_block_a_new_one(letter):
    SignatureFactory(letter=letter, email_canonical="x@y.org", status="withdrawn")
    SignatureFactory(letter=letter, email_canonical="x@y.org", status="verified")

    assert Signature.objects.live().count() == 1


def test_the_same_address_may_sign_different_letters(client, letter):
    other = LetterFactory()
    sign(client, letter)
    sign(client, other)

    assert Signature.objects.count() == 2
