"""An organiser writes an update in the admin, previews it, and sends it, in a real browser."""

import pytest
from django.core import mail

from signatories.models import Update
from tests.factories import LetterFactory, SignatureFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_organiser_composes_previews_tests_and_sends_an_update(organiser_page, live_server):
    page = organiser_page
    letter = LetterFactory(title="Release the detained lawyers")
    for n in range(2):
        SignatureFactory(letter=letter, status="approved", contact_email=f"s{n}@org.example")

    page.goto(f"{live_server.url}/admin/campaigns/letter/{letter.pk}/change/")
    page.get_by_role("link", name="Write an update").click()
    page.get_by_label("Subject").fill("The letter was delivered")
    page.get_by_label("Body").fill("We **delivered** it on Monday.")
    page.get_by_role("button", name="Save and preview").click()

    page.get_by_text("It will go to 2 approved signatories.").wait_for()
    assert page.locator("#preview-subject").inner_text() == "The letter was delivered"
    email = page.frame_locator("#preview-html")
    assert email.locator("strong").inner_text() == "delivered"

    page.get_by_role("button", name="Send a test to o@example.org").click()
    page.get_by_text("A test was sent to o@example.org.").wait_for()
    assert [message.to for message in mail.outbox] == [["o@example.org"]]

    page.get_by_role("link", name="Send to the signatories…").click()
    page.get_by_role("button", name="Yes, send it").click()
    page.get_by_text("Sending the update to 2 signatories.").wait_for()

    update = Update.objects.get()
    page.goto(f"{live_server.url}/admin/campaigns/letter/{letter.pk}/change/")
    row = page.locator(f"#update-{update.pk}")
    assert row.locator(".update-sent").inner_text() == "2"
    assert row.locator(".update-remaining").inner_text() == "0"
    assert sorted(m.to[0] for m in mail.outbox[1:]) == ["s0@org.example", "s1@org.example"]
