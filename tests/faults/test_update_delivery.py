"""An update to 600 signatories, sent by a real Celery worker over Redis to a real SMTP server
(aiosmtpd) from PostgreSQL; the worker is killed with SIGKILL in the middle and a new one
started: every recipient gets the update exactly once."""

import asyncio
import time
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from signatories import updates
from signatories.models import Signature, Update
from signatories.tokens import new_withdraw_key
from tests.factories import LetterFactory, organiser
from tests.support.smtp import Mailbox, free_port
from tests.support.worker import celery_worker, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.faults, pytest.mark.django_db(transaction=True)]

RECIPIENTS = 600
# Short lease and loss times, so that the test does not wait the production minutes.
TIMINGS = {"EMAIL_LEASE_SECONDS": "3", "EMAIL_LOST_AFTER_SECONDS": "2"}


class Unhurried(Mailbox):
    """Answers each message after a few milliseconds, so that a kill finds the worker in the
    middle of the exchange. It keeps the message as soon as its end arrives, then answers, as a
    mail server queues a message before it says so: waiting first would lose a whole message
    whenever the kill came after the end was sent (aiosmtpd drops a handler whose connection
    is gone), which no real server does, and the test would fail one run in a few."""

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(0.005)
        return reply


def signatories(letter) -> None:
    Signature.objects.bulk_create(
        Signature(
            letter=letter,
            organisation_name=f"Group {n}",
            country="KE",
            contact_name="Contact",
            contact_email=f"s{n}@org{n}.example",
            email_canonical=f"s{n}@org{n}.example",
            status=Signature.Status.APPROVED,
            withdraw_key=new_withdraw_key(),
        )
        for n in range(RECIPIENTS)
    )


def test_a_worker_killed_mid_update_and_a_new_one_started_emails_each_signatory_once():
    if connection.vendor != "postgresql":
        pytest.skip("runs on PostgreSQL, with the other real parts")
    letter = LetterFactory()
    signatories(letter)
    mailbox = Unhurried()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    email_url = f"smtp://127.0.0.1:{controller.port}"
    try:
        with celery_worker(
            email_url=email_url, log_name="worker-update-killed", **TIMINGS
        ) as first:
            update = updates.update_create(letter=letter, subject="Delivered", body="B", by=None)
            updates.update_send(update=update, by=organiser())
            wait_for(lambda: len(mailbox.messages) >= RECIPIENTS // 4, timeout=60, interval=0.01)
            first.kill()  # SIGKILL: no cleanup, no acknowledgement
            first.wait(timeout=10)
            at_kill = len(mailbox.messages)
        with celery_worker(
            email_url=email_url, log_name="worker-update-new", flush=False, **TIMINGS
        ):
            time.sleep(4)  # the killed job's lease runs out
            requeued = updates.sweep()
            wait_for(
                lambda: Update.objects.get(pk=update.pk).status == Update.Status.SENT, timeout=120
            )
            time.sleep(2)  # a duplicate, if any, arrives meanwhile
    finally:
        controller.stop()

    received = Counter(message["To"] for message in mailbox.messages)
    assert 0 < at_kill < RECIPIENTS  # killed mid-run
    assert requeued >= 1  # the killed job's chunk went to the new worker
    assert len(received) == RECIPIENTS
    assert set(received.values()) == {1}
    states = Counter(update.deliveries.values_list("state", flat=True))
    assert states == {"sent": RECIPIENTS}
    print(f"\n[fault] update, worker killed: delivered={len(received)} at_kill={at_kill} "
          f"duplicates=0 chunks_requeued={requeued}")  # fmt: skip
