"""What every email about a letter carries: whom to write back to."""

import pytest
from django.core import mail

from signatories import services
from signatories.models import Signature
from tests.conftest import committed
from tests.factories import LetterFactory, organiser
from tests.signatories.helpers import confirm_path, last_email_to, sign

pytestmark = pytest.mark.django_db
EMAIL = "amina@khrn.or.ke"


def test_every_email_about_a_letter_replies_to_its_organisers(client, settings):
    settings.CONTACT_EMAIL = "site@example.org"
    letter = LetterFactory(contact_email="coalition@example.org")

    sign(client, letter)
    client.post(confirm_path(EMAIL))
    with committed():
        services.signature_reject(signature=Signature.objects.get(), by=organiser())

    assert len(mail.outbox) == 3
    assert {tuple(message.reply_to) for message in mail.outbox} == {("coalition@example.org",)}
    rejection = last_email_to(EMAIL)
    assert "write to the organisers at coalition@example.org" in rejection.body
    assert 'href="mailto:coalition@example.org"' in rejection.alternatives[0][0]


def test_a_letter_without_its_own_contact_uses_the_sites(client, settings):
    settings.CONTACT_EMAIL = "site@example.org"

    sign(client, LetterFactory())

    assert last_email_to(EMAIL).reply_to == ["site@example.org"]


def test_with_no_contact_anywhere_there_is_no_reply_to_and_no_dangling_sentence(client):
    letter = LetterFactory()
    sign(client, letter)
    client.post(confirm_path(EMAIL))
    with committed():
        services.signature_reject(signature=Signature.objects.get(), by=organiser())

    rejection = last_email_to(EMAIL)
    assert rejection.reply_to == []
    assert "write to the organisers" not in rejection.body
