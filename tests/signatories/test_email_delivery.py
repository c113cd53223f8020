"""The whole loop with the real parts: a Celery worker on Redis sends over SMTP to aiosmtpd."""

import pytest

from signatories.models import Signature
from tests.signatories.helpers import LINK, form_data
from tests.support.smtp import Mailbox, smtp_server
from tests.support.worker import celery_worker, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
EMAIL = "amina@khrn.or.ke"


@pytest.fixture
def letter():
    from tests.factories import LetterFactory

    return LetterFactory(requires_approval=True)


def signature_state(field: str, expected: str):
    def check():
        signature = Signature.objects.get()
        return getattr(signature, field) == expected and signature

    return check


def test_sign_receive_the_email_confirm_and_get_approved(client, admin_client, letter):
    with smtp_server() as (mailbox, email_url), celery_worker(email_url=email_url):
        response = client.post(f"/letters/{letter.slug}/sign/", form_data())
        assert response.status_code == 302

        message = mailbox.wait_for(1)[0]
        assert message["To"] == EMAIL
        assert letter.title in message["Subject"]
        assert message.get_body(preferencelist=("html",)) is not None
        kind, token = LINK.search(Mailbox.text(message)).groups()
        assert kind == "confirm"
        confirm = f"/signatures/confirm/{token}/"

        assert "Confirm signature" in client.get(confirm).text
        assert Signature.objects.get().status == "pending"
        assert "your signature is confirmed" in client.post(confirm).text
        assert "under review" in mailbox.wait_for(2)[1]["Subject"]

        admin_client.post(
            "/admin/signatories/signature/",
            {"action": "approve_signatures", "_selected_action": [Signature.objects.get().pk]},
        )
        approved = mailbox.wait_for(3)[2]
        assert "published" in approved["Subject"]
        assert "/signatures/withdraw/" in Mailbox.text(approved)

    signature = Signature.objects.get()
    assert signature.status == "approved"
    assert signature.email_state == "sent"


def test_a_server_that_answers_421_twice_still_gets_the_email(client, letter):
    replies = ["421 4.3.2 Service not available, try later"] * 2
    with smtp_server(replies) as (mailbox, email_url), celery_worker(email_url=email_url):
        client.post(f"/letters/{letter.slug}/sign/", form_data())

        message = mailbox.wait_for(1)[0]
        signature = wait_for(signature_state("email_state", "sent"))

    assert mailbox.refused == 2
    assert "/signatures/confirm/" in Mailbox.text(message)
    assert signature.email_attempts == 3


def test_a_server_that_answers_550_leaves_the_failure_for_the_organisers(
    client, admin_client, letter
):
    replies = ["550 5.1.1 Mailbox unavailable"]
    with smtp_server(replies) as (mailbox, email_url), celery_worker(email_url=email_url):
        client.post(f"/letters/{letter.slug}/sign/", form_data())

        signature = wait_for(signature_state("email_state", "failed"))

    assert mailbox.messages == []
    assert signature.email_attempts == 1
    assert signature.email_error.startswith("550")
    listing = admin_client.get("/admin/signatories/signature/?email_state__exact=failed").text
    assert "Kenya Human Rights Network" in listing
    detail = admin_client.get(f"/admin/signatories/signature/{signature.pk}/change/").text
    assert "550 5.1.1 Mailbox unavailable" in detail
