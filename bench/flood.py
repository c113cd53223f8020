"""The flood: 500 sign-ups from one address, as fast as a script can, against the production
layout (gunicorn, PostgreSQL, Redis, a Celery worker, a local SMTP server counting what it
receives), while one reader keeps loading the letter page.

The script behaves as a determined one would: it loads the form for its CSRF token, waits out
SIGN_MIN_FILL_SECONDS, and posts valid details with a made-up address each time; it does not
solve the proof-of-work check. Bounded: 500 attempts, 8 threads, a time limit.

    .venv/bin/python bench/flood.py [--attempts 500] [--threads 8]

Prints what was accepted, challenged and refused, how many emails left, and the letter page's
latency during the flood. See bench/README.md.
"""

import argparse
import json
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from http.cookiejar import CookieJar
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
from letter_page import PORT, SERVER, env, start_server  # noqa: E402
from timing import summary  # noqa: E402

DATABASE = "undersigned_bench_flood"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STARTED = re.compile(r'name="started" value="([^"]+)"')


def smtp_server():
    from aiosmtpd.controller import Controller

    class Counting:
        received = 0

        async def handle_DATA(self, server, session, envelope):
            Counting.received += 1
            return "250 OK"

    controller = Controller(Counting(), hostname="127.0.0.1", port=8125)
    controller.start()
    return controller, Counting


def build(environment: dict) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    for command in (["migrate", "--noinput"], ["seed_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=environment,
            check=True,
            capture_output=True,
        )


def attempt(url: str, number: int, outcomes: Counter, lock: threading.Lock, fill: float) -> None:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    try:
        with opener.open(url, timeout=20) as response:
            form = response.read().decode()
    except urllib.error.HTTPError as error:
        with lock:
            outcomes[f"form {error.code}"] += 1
        return
    time.sleep(fill)  # as long as the form asks a person to take
    data = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": CSRF.search(form).group(1),
            "started": STARTED.search(form).group(1),
            "organisation_name": f"Flood Organisation {number}",
            "website": "",
            "country": "KE",
            "contact_name": "Someone",
            "contact_email": f"victim{number}@made-up-{number}.example",
            "list_publicly": "on",
            "authorised": "on",
            "consent": "on",
        }
    ).encode()
    request = urllib.request.Request(url, data=data, headers={"Referer": url})
    try:
        with opener.open(request, timeout=20) as response:
            body = response.read().decode()
            accepted = response.url.endswith("/sign/check-email/")
            outcome = "accepted" if accepted else "challenged" if "altcha" in body else "other"
    except urllib.error.HTTPError as error:
        outcome = f"post {error.code}"
    with lock:
        outcomes[outcome] += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--attempts", type=int, default=500)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--time-limit", type=float, default=300)
    args = parser.parse_args()

    controller, mailbox = smtp_server()
    environment = env(
        DATABASE_URL=f"{SERVER}/{DATABASE}",
        EMAIL_URL="smtp://127.0.0.1:8125",
        SECURE_COOKIES="false",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    build(environment)
    server = start_server(3, {k: v for k, v in environment.items() if k != "LOG_LEVEL"})
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency", "2",
         "--loglevel", "WARNING"],
        cwd=ROOT,
        env=environment,
    )  # fmt: skip
    base = f"http://127.0.0.1:{PORT}"
    url = f"{base}/letters/un-china-rights/sign/"
    outcomes, lock = Counter(), threading.Lock()
    reader_latencies: list[float] = []
    flooding = threading.Event()
    flooding.set()

    def reader():
        while flooding.is_set():
            started = time.perf_counter()
            with urllib.request.urlopen(f"{base}/letters/un-china-rights/", timeout=20) as page:
                page.read()
            reader_latencies.append((time.perf_counter() - started) * 1000)
            time.sleep(0.05)

    try:
        time.sleep(3)  # the worker connects
        numbers = iter(range(args.attempts))
        deadline = time.monotonic() + args.time_limit

        def flood():
            for number in numbers:
                if time.monotonic() > deadline:
                    return
                attempt(url, number, outcomes, lock, fill=2.1)

        reading = threading.Thread(target=reader)
        reading.start()
        began = time.monotonic()
        threads = [threading.Thread(target=flood) for _ in range(args.threads)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        flood_seconds = time.monotonic() - began
        flooding.clear()
        reading.join()
        time.sleep(15)  # emails still on their way
        result = {
            "attempts": sum(outcomes.values()),
            "outcomes": dict(outcomes),
            "flood_seconds": round(flood_seconds, 1),
            "emails_received_by_smtp": mailbox.received,
            "letter_page_during_flood": {"requests": len(reader_latencies)}
            | summary(reader_latencies),
        }
        print(json.dumps(result, indent=2))
    finally:
        flooding.clear()
        worker.terminate()
        server.terminate()
        controller.stop()


if __name__ == "__main__":
    main()
