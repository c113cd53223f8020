"""Launch day breaks things: the broker, the mail relay, a worker, the database. Each test breaks
one real part under the app (gunicorn or runserver, a Celery worker, Redis, aiosmtpd,
PostgreSQL through a switch the test controls) and checks that no signature and no email is
lost, that nobody waits on the broken part, and how things recover. Each prints what it saw."""

import asyncio
import threading
import time
from collections import Counter

import pytest
from django.db import connection

from signatories.models import Signature
from tests.factories import LetterFactory
from tests.support.faults import (
    PrivateRedis,
    TcpSwitch,
    app_env,
    app_server,
    get,
    manage,
    sign_over_http,
)
from tests.support.smtp import Mailbox, smtp_server
from tests.support.worker import celery_worker, database_url, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.faults, pytest.mark.django_db(transaction=True)]


def report(name: str, **observed):
    print(f"\n[fault] {name}: " + ", ".join(f"{key}={value}" for key, value in observed.items()))


def recipients(mailbox: Mailbox) -> Counter:
    return Counter(message["To"] for message in mailbox.messages)


@pytest.fixture
def letter():
    return LetterFactory(slug="launch", requires_approval=False)


def test_1_redis_down_while_twenty_sign_then_back_and_swept(letter):
    redis_server = PrivateRedis()  # not started: the broker is down
    with smtp_server() as (mailbox, email_url):
        env = app_env(DATABASE_URL=database_url(), REDIS_URL=redis_server.url, EMAIL_URL=email_url)
        with app_server(env) as base:
            answers = [
                sign_over_http(base, "launch", email=f"s{n}@org{n}.example", address=f"10.1.{n}.1")
                for n in range(20)
            ]
        assert [status for status, _ in answers] == [302] * 20
        slowest = max(seconds for _, seconds in answers)
        assert slowest < 2
        assert Signature.objects.count() == 20

        redis_server.start()
        try:
            started = time.monotonic()
            with celery_worker(email_url=email_url, broker=redis_server.url):
                swept = manage(env, "sweep_emails")
                mailbox.wait_for(20, timeout=60)
                time.sleep(2)  # anything more would be a duplicate
                recovered = time.monotonic() - started
                # The broker restarts under the running worker and the app: both carry on.
                redis_server.stop()
                redis_server.start()
                with app_server(env) as base:
                    status, _ = sign_over_http(
                        base, "launch", email="after@restart.example", address="10.1.99.1"
                    )
                mailbox.wait_for(21, timeout=60)
        finally:
            redis_server.stop()

    assert "Re-queued 20 emails." in swept
    assert status == 302
    assert sorted(recipients(mailbox).values()) == [1] * 21
    report("1 redis down", delivered=len(mailbox.messages), duplicates=0,
           slowest_post_s=round(slowest, 2), recovered_s=round(recovered, 1))  # fmt: skip


def test_2_smtp_says_421_for_thirty_seconds_then_accepts(letter):
    class Throttled(Mailbox):
        until = time.monotonic() + 30

        async def handle_DATA(self, server, session, envelope):
            if time.monotonic() < self.until:
                self.refused += 1
                return "421 4.7.0 Try again later"
            return await super().handle_DATA(server, session, envelope)

    from aiosmtpd.controller import Controller

    from tests.support.smtp import free_port

    mailbox = Throttled()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        email_url = f"smtp://127.0.0.1:{controller.port}"
        env = app_env(DATABASE_URL=database_url(), EMAIL_URL=email_url)
        with celery_worker(email_url=email_url, EMAIL_MAX_RETRIES="10") as _worker:
            env["REDIS_URL"] = _broker_of_tests()
            with app_server(env) as base:
                for n in range(5):
                    status, _ = sign_over_http(
                        base, "launch", email=f"t{n}@org{n}.example", address=f"10.2.{n}.1"
                    )
                    assert status == 302
                mailbox.wait_for(5, timeout=240)  # the backoff doubles, with jitter
                took = time.monotonic() - (mailbox.until - 30)
                time.sleep(3)
    finally:
        controller.stop()

    assert sorted(recipients(mailbox).values()) == [1] * 5
    report("2 smtp 421 for 30 s", delivered=len(mailbox.messages), refusals=mailbox.refused,
           duplicates=0, all_delivered_after_s=round(took, 1))  # fmt: skip


def test_3_smtp_accepts_and_never_answers_then_recovers(letter):
    with smtp_server() as (mailbox, email_url):
        real_port = int(email_url.rsplit(":", 1)[1])
        switch = TcpSwitch(real_port, mode="hang")
        hanging_url = f"smtp://127.0.0.1:{switch.port}"
        env = app_env(
            DATABASE_URL=database_url(), EMAIL_URL=hanging_url, REDIS_URL=_broker_of_tests()
        )
        try:
            with (
                celery_worker(email_url=hanging_url, EMAIL_TIMEOUT="2"),
                app_server(env) as base,
            ):
                status, seconds = sign_over_http(
                    base, "launch", email="h@hang.example", address="10.3.0.1"
                )
                assert status == 302 and seconds < 1
                time.sleep(6)  # at least one attempt timed out and a retry waits
                attempts = Signature.objects.get().email_attempts
                switch.set("forward")
                recovered_from = time.monotonic()
                mailbox.wait_for(1, timeout=90)
                recovered = time.monotonic() - recovered_from
        finally:
            switch.close()

    assert attempts >= 1 and len(mailbox.messages) == 1
    report("3 smtp hangs", slowest_post_s=round(seconds, 2), failed_attempts_while_hung=attempts,
           delivered_after_recovery_s=round(recovered, 1))  # fmt: skip


def test_4_a_worker_killed_while_sending_and_a_new_one_started(letter):
    class Slow(Mailbox):
        async def handle_DATA(self, server, session, envelope):
            await asyncio.sleep(4)  # the worker is killed while it waits for this answer
            return await super().handle_DATA(server, session, envelope)

    from aiosmtpd.controller import Controller

    from tests.support.smtp import free_port

    mailbox = Slow()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    email_url = f"smtp://127.0.0.1:{controller.port}"
    # Short lease and loss times, so that the test does not wait the production minutes.
    timings = {"EMAIL_LEASE_SECONDS": "3", "EMAIL_LOST_AFTER_SECONDS": "2"}
    env = app_env(DATABASE_URL=database_url(), EMAIL_URL=email_url, **timings)
    try:
        with celery_worker(email_url=email_url, log_name="worker-killed", **timings) as first:
            env["REDIS_URL"] = _broker_of_tests()
            with app_server(env) as base:
                sign_over_http(base, "launch", email="k@kill.example", address="10.4.0.1")
            wait_for(lambda: _sending(), timeout=30)
            time.sleep(1)  # inside the SMTP exchange
            first.kill()
            first.wait(timeout=10)
        started = time.monotonic()
        with celery_worker(email_url=email_url, log_name="worker-new", flush=False, **timings):
            time.sleep(6)  # the lease runs out, then the email counts as lost
            manage(env, "sweep_emails")
            mailbox.wait_for(1, timeout=60)
            time.sleep(6)  # a duplicate, if any, arrives meanwhile
        recovered = time.monotonic() - started
    finally:
        controller.stop()

    received = recipients(mailbox)["k@kill.example"]
    assert 1 <= received <= 2  # delivered; at most one duplicate (at least once)
    report("4 worker killed mid-send", delivered=received, duplicate=received == 2,
           recovered_s=round(recovered, 1))  # fmt: skip


def _sending() -> bool:
    signature = Signature.objects.first()
    return bool(signature and signature.email_due_at and signature.email_state == "queued")


def _broker_of_tests() -> str:
    from django.conf import settings

    return settings.TEST_REDIS_URL


def test_5_the_database_becomes_unreachable_under_light_load(letter):
    if connection.vendor != "postgresql":
        pytest.skip("an outage of the PostgreSQL server (the SQLite run has no server)")
    db = connection.settings_dict
    switch = TcpSwitch(int(db["PORT"] or 5432))
    through_switch = f"postgres://{db['USER']}@127.0.0.1:{switch.port}/{db['NAME']}"
    env = app_env(DATABASE_URL=through_switch, DATABASE_CONNECT_TIMEOUT="2", CONN_MAX_AGE="0")
    statuses, slowest, stop = Counter(), [0.0], threading.Event()

    def light_load(base):
        n = 0
        while not stop.is_set():
            n += 1
            status, seconds, _ = get(f"{base}/letters/launch/?n={n}", timeout=15)
            post, post_seconds = sign_over_http(
                base, "launch", email=f"l{n}@load.example", address=f"10.5.{n % 250}.{n // 250}"
            ) if status == 200 else (0, 0.0)  # fmt: skip
            statuses[status] += 1
            if post:
                statuses[f"post {post}"] += 1
            slowest[0] = max(slowest[0], seconds, post_seconds)
            time.sleep(0.2)

    try:
        with app_server(env) as base:
            load = threading.Thread(target=light_load, args=(base,))
            load.start()
            time.sleep(3)
            switch.set("refuse")  # the database goes away
            time.sleep(2)
            during = [get(f"{base}/letters/launch/") for _ in range(3)]
            health = get(f"{base}/healthz")
            time.sleep(3)
            switch.set("forward")  # and comes back
            time.sleep(3)
            after = get(f"{base}/letters/launch/")
            stop.set()
            load.join(timeout=60)
    finally:
        stop.set()
        switch.close()

    assert {status for status, _, _ in during} == {503}
    assert all("cannot reach its database" in body for _, _, body in during)
    assert health[0] == 503 and '"database": "error"' in health[2]
    assert after[0] == 200
    assert 500 not in statuses and 0 not in statuses, statuses
    assert slowest[0] < 5
    # No signature half-written: every accepted post has its whole record, nothing else exists.
    accepted = statuses["post 302"]
    signatures = Signature.objects.filter(letter=letter)
    assert signatures.count() == accepted
    assert all(s.events.filter(kind="submitted").exists() and s.email_job for s in signatures)
    report("5 database outage", statuses=dict(statuses), slowest_request_s=round(slowest[0], 2))


def test_6_fifty_submissions_with_one_address_at_once(letter):
    with smtp_server() as (mailbox, email_url):
        env = app_env(
            DATABASE_URL=database_url(), EMAIL_URL=email_url, REDIS_URL=_broker_of_tests()
        )
        with celery_worker(email_url=email_url), app_server(env) as base:
            barrier, statuses = threading.Barrier(50), Counter()

            def submit(n):
                barrier.wait()
                status, _ = sign_over_http(
                    base, "launch", email="same@org.example", address=f"10.6.{n}.1"
                )
                statuses[status] += 1

            threads = [threading.Thread(target=submit, args=(n,)) for n in range(50)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            mailbox.wait_for(1, timeout=60)
            time.sleep(3)

    assert statuses == {302: 50}  # every one sees "check your email"
    assert Signature.objects.count() == 1
    assert len(mailbox.messages) == 1  # the design: one email; the rest inside the throttle
    report("6 fifty at once, one address", signatures=1, emails=len(mailbox.messages))


def test_7_two_hundred_confirmations_and_approvals_at_once_with_withdrawals():
    from django.core.management import call_command

    from signatories import services
    from signatories.tokens import confirmation_expiry, new_token, withdraw_token
    from tests.factories import SignatureFactory, organiser

    countries = ["KE", "NG", "GH", "ZA", "EG", "MA", "TN", "SN", "CI", "CM", "UG", "TZ", "RW",
                 "ET", "IN", "PK", "BD", "NP", "LK", "ID", "PH", "MY", "TH", "VN", "KR", "JP",
                 "BR", "AR", "CO", "MX"]  # fmt: skip
    reviewed, instant = LetterFactory(), LetterFactory(requires_approval=False)
    by = organiser()
    tokens, to_approve, to_withdraw = [], [], []
    for n in range(200):
        token, digest = new_token()
        letter = instant if n % 2 else reviewed
        SignatureFactory(
            letter=letter, country=countries[n % 30], list_publicly=n % 7 != 0,
            confirmation_token_hash=digest, confirmation_expires_at=confirmation_expiry(),
        )  # fmt: skip
        tokens.append(token)
    for n in range(60):  # already verified, to approve; and approved ones to withdraw
        to_approve.append(SignatureFactory(letter=reviewed, status="verified",
                                           country=countries[n % 30]))  # fmt: skip
    call_command("recount")
    for n in range(40):
        signature = SignatureFactory(letter=instant, status="verified", country=countries[n % 30])
        to_withdraw.append(services.signature_approve(signature=signature, by=by))
    failures = []

    def run(step):
        try:
            step()
        except Exception as error:  # counted below
            failures.append(type(error).__name__)
        finally:
            connection.close()

    steps = [lambda t=t: services.signature_confirm(token=t) for t in tokens]
    steps += [lambda s=s: services.signature_approve(signature=s, by=by) for s in to_approve]
    steps += [
        lambda s=s: services.signature_withdraw(token=withdraw_token(s.withdraw_key))
        for s in to_withdraw
    ]
    batches = [steps[n::8] for n in range(8)]
    threads = [
        threading.Thread(target=lambda batch=batch: [run(step) for step in batch])
        for batch in batches
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert failures == []
    out = manage(app_env(DATABASE_URL=database_url()), "recount", "--check")
    assert "Counts match the signatures." in out
    counted = Signature.objects.filter(status="approved").count()
    report("7 parallel transitions", steps=len(steps), approved_now=counted, drift=0)


def test_8_the_embedded_default_with_a_hanging_smtp_server(tmp_path):
    """`make run`'s set-up: SQLite, no Redis, runserver; the SMTP server hangs."""
    with smtp_server() as (mailbox, email_url):
        switch = TcpSwitch(int(email_url.rsplit(":", 1)[1]), mode="hang")
        env = app_env(
            DATABASE_URL=f"sqlite:///{tmp_path / 'embedded.sqlite3'}",
            EMAIL_URL=f"smtp://127.0.0.1:{switch.port}",
            EMAIL_TIMEOUT="2",
            DEBUG="true",
        )
        try:
            manage(env, "migrate", "--noinput")
            manage(env, "seed_demo")
            with app_server(env, runserver=True, log_name="embedded") as base:
                answers = [
                    sign_over_http(base, "un-china-rights", email=f"e{n}@embedded.example",
                                   address=f"10.8.{n}.1")
                    for n in range(3)
                ]  # fmt: skip
                time.sleep(5)  # the sender's attempts time out meanwhile
                switch.set("forward")
                recovered_from = time.monotonic()
                mailbox.wait_for(3, timeout=90)
                recovered = time.monotonic() - recovered_from
        finally:
            switch.close()

    assert [status for status, _ in answers] == [302] * 3
    slowest = max(seconds for _, seconds in answers)
    assert slowest < 1
    assert sorted(recipients(mailbox).values()) == [1] * 3
    report("8 embedded default, smtp hangs", slowest_post_s=round(slowest, 2),
           delivered_after_recovery_s=round(recovered, 1))  # fmt: skip
