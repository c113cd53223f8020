"""Updates to a letter's signatories: who gets them, what they read, the admin's compose →
preview → test → send, who may do it, and what becomes of each delivery."""

import smtplib
import socket
import time
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from signatories import outbox, services, updates
from signatories.models import Signature, Update, UpdateDelivery
from tests.conftest import committed
from tests.factories import LetterFactory, SignatureFactory, organiser
from tests.signatories.helpers import links_in
from tests.support.mail import ScriptedBackend
from tests.support.smtp import smtp_server

pytestmark = pytest.mark.django_db

SCRIPTED = "tests.support.mail.ScriptedBackend"


def approved(letter, **fields) -> Signature:
    signature = SignatureFactory(letter=letter, status="verified", **fields)
    with committed():
        services.signature_approve(signature=signature, by=organiser())
    return signature


@pytest.fixture
def signatories(letter):
    signed = [
        approved(letter, contact_email="en@one.example", language="en"),
        approved(letter, contact_email="fr@two.example", language="fr", list_publicly=False),
        approved(letter, contact_email="es@three.example", language="es"),
    ]
    SignatureFactory(letter=letter, status="verified", contact_email="review@four.example")
    SignatureFactory(letter=letter, status="pending", contact_email="pending@five.example")
    SignatureFactory(letter=letter, status="withdrawn", contact_email="gone@six.example")
    SignatureFactory(contact_email="other@letter.example", status="approved")  # another letter
    mail.outbox.clear()
    return signed


def send(letter, subject="The letter was delivered", body="We **delivered** it today.") -> Update:
    update = updates.update_create(letter=letter, subject=subject, body=body, by=organiser())
    with committed():
        updates.update_send(update=update, by=organiser())
    update.refresh_from_db()
    return update


def sent_to() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


# Recipients and what they read ----------------------------------------------------------------


def test_every_approved_signatory_named_or_not_gets_it_once(letter, signatories):
    update = send(letter)

    assert sent_to() == ["en@one.example", "es@three.example", "fr@two.example"]
    assert update.status == "sent" and update.finished_at is not None
    assert set(update.deliveries.values_list("state", flat=True)) == {"sent"}


def test_each_email_is_written_in_the_signers_language(letter, signatories, monkeypatch):
    from django.utils import translation

    from signatories import emails

    languages = {}
    render = emails.render_to_string

    def spy(template, context):
        if template.endswith("update.txt"):
            languages[context["signature"].contact_email] = translation.get_language()
        return render(template, context)

    monkeypatch.setattr(emails, "render_to_string", spy)
    send(letter)

    assert languages == {"en@one.example": "en", "fr@two.example": "fr", "es@three.example": "es"}


def test_the_text_part_is_the_markdown_and_the_html_part_is_sanitised(letter, signatories):
    send(letter, body="We **delivered** it.\n\n<script>alert(1)</script>")

    message = mail.outbox[0]
    assert message.subject == "The letter was delivered"
    assert "We **delivered** it." in message.body
    html = message.alternatives[0][0]
    assert "<strong>delivered</strong>" in html
    assert "<script>" not in html


def test_the_withdraw_link_in_each_email_withdraws_that_signature(client, letter, signatories):
    send(letter)

    for signature in signatories:
        message = next(m for m in mail.outbox if m.to == [signature.contact_email])
        link = links_in(message)["withdraw"]
        assert client.get(link).status_code == 200
        client.post(link)
        signature.refresh_from_db()
        assert signature.status == "withdrawn"


def test_replies_go_to_the_letters_organisers(signatories, letter):
    letter.contact_email = "team@coalition.example"
    letter.save()

    send(letter)

    assert {tuple(message.reply_to) for message in mail.outbox} == {("team@coalition.example",)}


def test_a_signature_withdrawn_before_its_turn_is_skipped_and_recorded(letter, signatories):
    update = updates.update_create(letter=letter, subject="S", body="B", by=organiser())
    with committed():
        updates.update_send(update=update, by=organiser())
        with committed():
            services.signature_withdraw_by_staff(signature=signatories[0], by=organiser())
        mail.outbox.clear()

    assert sent_to() == ["es@three.example", "fr@two.example"]
    skipped = update.deliveries.get(signature=signatories[0])
    assert (skipped.state, skipped.error) == ("failed", updates.NOT_SENT_WITHDRAWN)


def test_signatures_approved_after_sending_started_are_not_included(letter, signatories):
    update = updates.update_create(letter=letter, subject="S", body="B", by=organiser())
    late = SignatureFactory(letter=letter, status="verified", contact_email="late@x.example")
    with committed():
        updates.update_send(update=update, by=organiser())
        services.signature_approve(signature=late, by=organiser())

    assert "late@x.example" not in [m.to[0] for m in mail.outbox if m.subject == "S"]
    assert update.deliveries.count() == 3


def test_an_update_cannot_be_sent_twice(letter, signatories):
    update = send(letter)

    with pytest.raises(updates.NotADraft):
        updates.update_send(update=update, by=organiser())
    assert len(mail.outbox) == 3


def test_sending_again_a_chunk_already_sent_sends_nothing(letter, signatories):
    update = send(letter)
    ids = sorted(update.deliveries.values_list("pk", flat=True))

    mail.outbox.clear()
    updates.deliver_chunk(update_id=update.pk, first_id=ids[0], last_id=ids[-1])
    with time_machine.travel(timedelta(hours=2)):
        updates.sweep()

    assert mail.outbox == []


def test_recipients_are_sent_in_chunks_over_one_connection_each(letter, monkeypatch):
    for n in range(5):
        approved(letter, contact_email=f"c{n}@chunk.example")
    mail.outbox.clear()
    monkeypatch.setattr(updates, "CHUNK", 2)
    opened = []
    from django.core.mail.backends.locmem import EmailBackend

    original_open = EmailBackend.open
    # The connections themselves, not their id(): a closed one freed could lend its id to the next.
    monkeypatch.setattr(
        EmailBackend, "open", lambda self: opened.append(self) or original_open(self)
    )

    send(letter)

    assert len(mail.outbox) == 5
    assert len({id(connection) for connection in opened}) == 3  # 5 recipients, chunks of 2


# Failures ----------------------------------------------------------------------------------------


@override_settings(EMAIL_BACKEND=SCRIPTED, EMAIL_MAX_RETRIES=3)
def test_a_transient_failure_is_retried_after_a_backoff(letter, signatories, monkeypatch):
    from signatories import outbox

    monkeypatch.setattr(outbox, "retry_delay", lambda attempt: 30)  # no jitter down to 0 s
    ScriptedBackend.failures = [smtplib.SMTPResponseException(451, b"Try again later")]
    update = send(letter)

    deferred = update.deliveries.get(state="pending")
    assert deferred.attempts == 1 and deferred.error == "451 Try again later"
    assert deferred.due_at > deferred.update.sent_at
    assert len(mail.outbox) == 2 and update.status == "sending"

    with time_machine.travel(deferred.due_at + timedelta(seconds=1)), committed():
        updates.deliver_chunk(update_id=update.pk, first_id=deferred.pk, last_id=deferred.pk)

    deferred.refresh_from_db()
    update.refresh_from_db()
    assert deferred.state == "sent" and deferred.attempts == 2
    assert len(mail.outbox) == 3 and update.status == "sent"


@override_settings(EMAIL_BACKEND=SCRIPTED)
def test_a_permanent_failure_is_recorded_without_the_address(letter, signatories):
    refusal = smtplib.SMTPRecipientsRefused(
        {"en@one.example": (550, b"5.1.1 <en@one.example>: mailbox unknown")}
    )
    ScriptedBackend.failures = [refusal]
    update = send(letter)

    failed = update.deliveries.get(state="failed")
    assert failed.error == "550 5.1.1 <<address>>: mailbox unknown"
    assert "one.example" not in failed.error
    assert update.status == "sent"  # nothing left to send
    assert len(mail.outbox) == 2


def test_a_redelivered_job_leaves_alone_a_row_another_job_holds(letter, signatories):
    update = updates.update_create(letter=letter, subject="S", body="B", by=organiser())
    updates.update_send(update=update, by=organiser())  # no commit: no job ran yet
    ids = sorted(update.deliveries.values_list("pk", flat=True))
    # The first row is being sent by a job whose lease still runs.
    UpdateDelivery.objects.filter(pk=ids[0]).update(state="sending", attempts=1)

    updates.deliver_chunk(update_id=update.pk, first_id=ids[0], last_id=ids[-1])

    assert len(mail.outbox) == 2
    assert UpdateDelivery.objects.get(pk=ids[0]).state == "sending"
    assert updates.Update.objects.get(pk=update.pk).status == "sending"


def test_a_lease_that_ran_out_is_swept_and_sent_once(letter, signatories):
    update = updates.update_create(letter=letter, subject="S", body="B", by=organiser())
    with committed():
        updates.update_send(update=update, by=organiser())
    mail.outbox.clear()
    # As a killed worker leaves a row: "sending", its lease run out, never marked sent.
    row = update.deliveries.order_by("pk").first()
    UpdateDelivery.objects.filter(pk=row.pk).update(
        state="sending", attempts=1, due_at=row.due_at, sent_at=None
    )
    Update.objects.filter(pk=update.pk).update(status="sending", finished_at=None)

    with time_machine.travel(timedelta(hours=1)), committed():
        assert updates.sweep() == 1

    row.refresh_from_db()
    assert row.state == "sent" and row.attempts == 2
    assert sent_to() == [row.signature.contact_email]


# The command -------------------------------------------------------------------------------------


def test_send_update_dry_run_shows_the_count_and_first_email_and_sends_nothing(
    letter, signatories, tmp_path
):
    body = tmp_path / "body.md"
    body.write_text("Delivered on **Monday**.", encoding="utf-8")
    out = StringIO()

    call_command(
        "send_update", letter.slug, "--subject", "Delivered", "--body-file", body, "--dry-run",
        stdout=out,
    )  # fmt: skip

    text = out.getvalue()
    assert "Would send to 3 signatories (dry run)." in text
    assert "Subject: Delivered" in text and "Delivered on **Monday**." in text
    assert "@" not in text  # no contact address on a terminal
    assert mail.outbox == [] and not Update.objects.exists()


def test_send_update_sends_to_every_approved_signatory(letter, signatories, tmp_path):
    body = tmp_path / "body.md"
    body.write_text("Delivered.", encoding="utf-8")
    out = StringIO()

    with committed():
        call_command(
            "send_update", letter.slug, "--subject", "Delivered", "--body-file", body, stdout=out
        )

    update = Update.objects.get()
    assert f"Sending update {update.pk} to 3 signatories." in out.getvalue()
    assert sent_to() == ["en@one.example", "es@three.example", "fr@two.example"]


# The admin ---------------------------------------------------------------------------------------


def new_url(letter):
    return f"/admin/campaigns/letter/{letter.pk}/updates/new/"


def update_url(letter, update, page=""):
    return f"/admin/campaigns/letter/{letter.pk}/updates/{update.pk}/{page}"


def test_compose_preview_test_and_send_in_the_admin(admin_client, admin_user, letter, signatories):
    response = admin_client.post(
        new_url(letter), {"subject": "Delivered", "body": "We **delivered** it."}
    )
    update = Update.objects.get()
    assert response.status_code == 302 and response["Location"] == update_url(letter, update)

    preview = admin_client.get(update_url(letter, update))
    assert "Delivered" in preview.text and "It will go to 3 approved signatories." in preview.text
    email_html = admin_client.get(update_url(letter, update, "email.html"))
    assert "<strong>delivered</strong>" in email_html.text
    assert email_html["X-Frame-Options"] == "SAMEORIGIN"
    assert mail.outbox == []

    admin_client.post(update_url(letter, update, "test/"))
    assert sent_to() == [admin_user.email]
    assert not update.deliveries.exists()  # a test is no delivery

    confirm = admin_client.get(update_url(letter, update, "send/"))
    assert "approved signatories, each in their language" in confirm.text
    mail.outbox.clear()
    admin_client.post(update_url(letter, update, "send/"))

    assert sent_to() == ["en@one.example", "es@three.example", "fr@two.example"]
    page = admin_client.get(f"/admin/campaigns/letter/{letter.pk}/change/")
    assert 'class="update-sent">3<' in page.text
    assert 'class="update-remaining">0<' in page.text


def test_progress_counts_on_the_letter_page(admin_client, letter, signatories):
    update = updates.update_create(letter=letter, subject="Progress", body="B", by=organiser())
    updates.update_send(update=update, by=organiser())  # no commit: no job ran yet
    rows = list(update.deliveries.order_by("pk"))
    UpdateDelivery.objects.filter(pk=rows[0].pk).update(state="sent")
    UpdateDelivery.objects.filter(pk=rows[1].pk).update(state="failed")

    page = admin_client.get(f"/admin/campaigns/letter/{letter.pk}/change/").text
    detail = admin_client.get(update_url(letter, update)).text

    assert 'class="update-sent">1<' in page and 'class="update-failed">1<' in page
    assert 'class="update-remaining">1<' in page
    assert 'id="progress-remaining">1<' in detail
    assert 'http-equiv="refresh"' in detail  # follows it while it goes


def test_a_draft_can_be_edited_and_a_sent_update_cannot(admin_client, letter, signatories):
    update = updates.update_create(letter=letter, subject="Draft", body="B", by=organiser())
    admin_client.post(update_url(letter, update, "edit/"), {"subject": "Final", "body": "C"})
    update.refresh_from_db()
    assert (update.subject, update.body) == ("Final", "C")

    admin_client.post(update_url(letter, update, "send/"))
    admin_client.post(update_url(letter, update, "edit/"), {"subject": "Changed", "body": "D"})
    admin_client.post(update_url(letter, update, "send/"))

    update.refresh_from_db()
    assert update.subject == "Final" and len(mail.outbox) == 3


def staff(username, *perms, letters=()):
    user = get_user_model().objects.create_user(username, f"{username}@staff.example", "pw")
    user.is_staff = True
    user.save()
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    for letter in letters:
        letter.organisers.add(user)
    return user


def pages(letter, update):
    return [
        ("get", new_url(letter)),
        ("get", update_url(letter, update)),
        ("get", update_url(letter, update, "edit/")),
        ("get", update_url(letter, update, "email.html")),
        ("post", update_url(letter, update, "test/")),
        ("get", update_url(letter, update, "send/")),
        ("post", update_url(letter, update, "send/")),
    ]


def test_the_organiser_of_another_letter_gets_403_everywhere(client, letter, signatories):
    other = LetterFactory()
    user = staff("other", "send_update", "view_letter", letters=[other])
    client.force_login(user)
    update = updates.update_create(letter=letter, subject="S", body="B", by=organiser())

    for method, url in pages(letter, update):
        assert getattr(client, method)(url).status_code == 403, url
    assert mail.outbox == []


def test_plain_staff_get_403_and_no_link(client, letter, signatories):
    user = staff("plain", "view_letter", letters=[letter])
    client.force_login(user)
    update = updates.update_create(letter=letter, subject="S", body="B", by=organiser())

    for method, url in pages(letter, update):
        assert getattr(client, method)(url).status_code == 403, url
    page = client.get(f"/admin/campaigns/letter/{letter.pk}/change/")
    assert page.status_code == 200 and "Write an update" not in page.text


def test_an_organiser_of_the_letter_with_the_permission_may(client, letter, signatories):
    user = staff("mine", "send_update", "view_letter", letters=[letter])
    client.force_login(user)

    page = client.get(f"/admin/campaigns/letter/{letter.pk}/change/")  # read-only for them
    assert "Write an update" in page.text
    assert client.get(new_url(letter)).status_code == 200


def test_anonymous_is_sent_to_login(client, letter, signatories):
    update = updates.update_create(letter=letter, subject="S", body="B", by=organiser())

    for method, url in pages(letter, update):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url


# The embedded default, and the SMTP server's side -------------------------------------------------


@pytest.mark.django_db(transaction=True)
@override_settings(EMAIL_JOBS="thread")
def test_the_embedded_default_sends_from_a_thread():
    letter = LetterFactory()
    for n in range(3):
        SignatureFactory(letter=letter, status="approved", contact_email=f"t{n}@thread.example")
    update = updates.update_create(letter=letter, subject="S", body="B", by=organiser())

    updates.update_send(update=update, by=organiser())
    assert updates.local_jobs.wait(timeout=30)

    update.refresh_from_db()
    assert update.status == "sent"
    assert sent_to() == ["t0@thread.example", "t1@thread.example", "t2@thread.example"]


@pytest.mark.integration
def test_an_smtp_server_discards_a_message_whose_data_never_ended():
    """What the exactly-once sending rests on: a connection that drops inside DATA (a killed
    worker) delivers nothing, while the same exchange ended by the dot delivers."""
    with smtp_server() as (mailbox, email_url):
        port = int(email_url.rsplit(":", 1)[1])
        for finish in (False, True):
            smtp = smtplib.SMTP("127.0.0.1", port)
            smtp.ehlo()
            smtp.mail("noreply@example.org")
            smtp.rcpt("someone@example.org")
            assert smtp.docmd("data")[0] == 354
            smtp.send(b"Subject: unfinished\r\n\r\nThe whole body.\r\n")
            if finish:
                smtp.send(b".\r\n")
                assert smtp.getreply()[0] == 250
                smtp.quit()
            else:
                smtp.sock.shutdown(socket.SHUT_RDWR)
                smtp.close()
                time.sleep(0.5)
                assert mailbox.messages == []
        assert len(mailbox.wait_for(1)) == 1


@pytest.mark.integration
def test_over_smtp_each_recipient_gets_one_message_over_one_connection(letter, signatories):
    with smtp_server() as (mailbox, email_url):
        port = int(email_url.rsplit(":", 1)[1])
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
        ):
            update = send(letter)
        mailbox.wait_for(3)

    assert sorted(message["To"] for message in mailbox.messages) == [
        "en@one.example", "es@three.example", "fr@two.example",
    ]  # fmt: skip
    assert update.status == "sent"
    assert set(update.deliveries.values_list("state", flat=True)) == {"sent"}


@pytest.mark.integration
def test_over_smtp_a_refused_end_of_data_is_retried_and_a_5xx_recorded(
    letter, signatories, monkeypatch
):
    # The backoff has full jitter, so it can come out at 0 s: a retry within the test would
    # find the server answering 250 by then. A fixed wait keeps the retry for later.
    monkeypatch.setattr(outbox, "retry_delay", lambda attempt: 300)
    replies = ["451 4.3.0 Try again later", "554 5.7.1 Rejected by policy"]
    with smtp_server(replies=replies) as (mailbox, email_url):
        port = int(email_url.rsplit(":", 1)[1])
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
        ):
            update = send(letter)
        mailbox.wait_for(1)

    states = dict(update.deliveries.order_by("pk").values_list("state", "error")[:2])
    assert states == {
        "pending": "451 4.3.0 Try again later",
        "failed": "554 5.7.1 Rejected by policy",
    }
    assert len(mailbox.messages) == 1 and update.status == "sending"
