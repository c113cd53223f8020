"""What we keep, for how long, and what a signatory can ask for: retention, export, erasure, the
privacy notice, and logs that name nobody."""

import io
import json
import logging
import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from campaigns.models import Letter
from signatories import limits, retention
from signatories.models import Signature
from tests.factories import LetterFactory, SignatureFactory
from tests.signatories.helpers import confirm_path, links_in, sign
from tests.signatories.test_counts import approved

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/signatories/signature/"


def aged(signature, **delta):
    Signature.objects.filter(pk=signature.pk).update(created_at=timezone.now() - timedelta(**delta))


def test_purge_clears_old_sources_and_deletes_old_unconfirmed_submissions(letter):
    old_source = SignatureFactory(
        letter=letter, status="approved", ip_hash=limits.ip_hash("198.51.100.1"),
        network_hash=limits.network_hash("198.51.100.1"),
    )  # fmt: skip
    recent = SignatureFactory(letter=letter, status="verified", ip_hash="f" * 64)
    stale_pending = SignatureFactory(letter=letter, status="pending")
    fresh_pending = SignatureFactory(letter=letter, status="pending")
    aged(old_source, days=31)
    aged(stale_pending, days=31)

    report = retention.purge()

    assert (report.sources_cleared, report.unconfirmed_deleted) == (1, 1)
    old_source.refresh_from_db()
    assert (old_source.ip_hash, old_source.network_hash) == ("", "")
    assert Signature.objects.get(pk=recent.pk).ip_hash == "f" * 64
    assert set(Signature.objects.values_list("pk", flat=True)) == {
        old_source.pk,
        recent.pk,
        fresh_pending.pk,
    }


def test_contacts_are_erased_months_after_closing_and_the_public_record_stays(client):
    letter = LetterFactory()
    for n in range(3):
        approved(letter, country="KE", organisation_name=f"Group {n}", comment="private")
    approved(letter, country="NG", list_publicly=False)
    Letter.objects.filter(pk=letter.pk).update(
        status="closed", closed_at=timezone.now() - timedelta(days=7 * 30)
    )
    still_recent = LetterFactory(status="closed", closed_at=timezone.now() - timedelta(days=30))
    kept = approved(still_recent, country="KE")
    before = client.get(f"/api/letters/{letter.slug}/").json()
    page_before = client.get(f"/api/letters/{letter.slug}/signatories/").json()

    report = retention.purge()

    assert report.contacts_erased == 4
    for signature in Signature.objects.filter(letter=letter):
        assert (signature.contact_name, signature.contact_email, signature.comment) == ("", "", "")
        assert signature.contacts_erased_at is not None
    assert Signature.objects.get(pk=kept.pk).contact_email  # its letter closed a month ago
    assert client.get(f"/api/letters/{letter.slug}/").json() == before
    assert client.get(f"/api/letters/{letter.slug}/signatories/").json() == page_before
    assert retention.purge().contacts_erased == 0  # once


def test_purge_has_a_dry_run_that_changes_nothing(letter, capsys):
    stale = SignatureFactory(letter=letter, status="pending")
    aged(stale, days=40)

    call_command("purge", "--dry-run")

    assert "unconfirmed deleted: 1" in capsys.readouterr().out
    assert Signature.objects.filter(pk=stale.pk).exists()
    call_command("purge")
    assert not Signature.objects.filter(pk=stale.pk).exists()


def test_the_data_held_can_be_exported_for_the_signatory(client, admin_client, letter):
    sign(client, letter, comment="Please list us in French too.")
    client.post(confirm_path("amina@khrn.or.ke"))
    signature = Signature.objects.get()

    response = admin_client.post(
        CHANGELIST, {"action": "export_personal_data", "_selected_action": [signature.pk]}
    )

    assert response["Content-Disposition"] == 'attachment; filename="signature-data.json"'
    [data] = json.loads(response.content)
    assert data["contact_email"] == "amina@khrn.or.ke"
    assert data["comment"] == "Please list us in French too."
    assert [step["what"] for step in data["trail"]] == ["submitted", "confirmed"]
    assert "confirmation_token_hash" not in data and "withdraw_key" not in data
    assert LogEntry.objects.filter(object_id=str(signature.pk)).count() == 1


def test_erasure_asks_first_then_removes_the_signature_from_everything(
    client, admin_client, letter
):
    signature = approved(letter, country="KE", organisation_name="Erase Me Group")
    withdraw = links_in(mail.outbox[-1])["withdraw"] if mail.outbox else None
    selected = {"action": "erase_signatures", "_selected_action": [signature.pk]}

    asked = admin_client.post(CHANGELIST, selected)
    assert "It cannot be undone" in asked.text and Signature.objects.exists()

    done = admin_client.post(CHANGELIST, {**selected, "confirm": "yes"}, follow=True)

    assert "Erased 1 signature." in done.text
    assert not Signature.objects.exists()
    summary = client.get(f"/api/letters/{letter.slug}/").json()
    assert (summary["signatories"], summary["countries"]) == (0, 0)
    assert "Erase Me Group" not in client.get(f"/letters/{letter.slug}/").text
    entry = LogEntry.objects.get(action_flag=DELETION)
    assert entry.object_repr == f"signature #{signature.pk}"  # names no one
    if withdraw:
        assert client.get(withdraw).status_code == 404


def test_the_privacy_notice_says_who_how_long_and_who_processes(client, settings):
    settings.PRIVACY_CONTROLLER = "Coalition for Rights, 1 Rue de la Paix, Geneva"
    settings.CONTACT_EMAIL = "privacy@coalition.example"
    settings.PRIVACY_SOURCE_DAYS = 14
    settings.PRIVACY_PROCESSORS = ["Mailhost Ltd: sends the emails"]

    text = client.get("/privacy/").text

    assert "Coalition for Rights, 1 Rue de la Paix, Geneva" in text
    assert 'href="mailto:privacy@coalition.example"' in text
    assert "14 days" in text and "30 days" in text and "6 months" in text
    assert "Mailhost Ltd: sends the emails" in text


@pytest.fixture
def log_output(settings):
    """Everything the configured console handler writes, at every level, for the test."""
    root = logging.getLogger()
    [handler] = [h for h in root.handlers if type(h) is logging.StreamHandler]
    stream = io.StringIO()
    previous_stream, previous_level = handler.setStream(stream), root.level
    root.setLevel(logging.DEBUG)
    yield stream
    handler.setStream(previous_stream)
    root.setLevel(previous_level)


def test_no_log_line_at_any_level_names_an_address_a_token_or_an_ip(client, letter, log_output):
    from django.test import Client

    from signatories.services import signature_approve
    from tests.conftest import committed
    from tests.factories import organiser

    email = "amina@khrn.or.ke"
    sign(client, letter, contact_email=email, HTTP_X_FORWARDED_FOR="203.0.113.99")
    link = confirm_path(email)
    client.post(link)
    client.post(link)  # used already: a 404, which Django logs with its path
    with committed():
        signature_approve(signature=Signature.objects.get(), by=organiser())
    withdraw = links_in(mail.outbox[-1])["withdraw"]
    client.post(withdraw)
    client.post(withdraw)  # withdrawn already: 404
    admin = Client(REMOTE_ADDR="203.0.113.77")
    for _ in range(6):  # a locked-out sign-in
        admin.post("/admin/login/", {"username": email, "password": "wrong"})
    logging.getLogger("test").warning("a stray %s at %s on %s", email, "203.0.113.5", link)

    output = log_output.getvalue()
    assert "Not Found" in output and "[token]" in output  # something was logged
    for secret in (email, link.split("/")[-2], withdraw.split("/")[-2], "203.0.113."):
        assert secret not in output
    assert not re.search(r"\b\d{1,3}(\.\d{1,3}){3}\b", output)
