"""A signing surge, then a confirming surge, over HTTP, with the production layout on loopback.

gunicorn with `gunicorn.conf.py`, PostgreSQL (`undersigned_bench_surge`, dropped first), Redis
(database 11) as cache and broker, one Celery worker sending the emails, and an SMTP server
(bench/smtp_sink.py, a process of its own) that keeps each message's confirmation link.

1. Signing: `--clients` simulated people at once, each loading the sign form and posting it,
   with a new organisation, email and client address each time (X-Forwarded-For, one proxy
   trusted: the abuse limits are not what is measured; bench/flood.py measures them), for
   `--seconds`. Then: how long until every confirmation email reached the SMTP server.
2. Confirming: as many clients open the links those emails carry and press the button (GET,
   then POST with the page's CSRF token), for `--seconds`; the letter needs no review, so each
   confirmation approves the signature and updates the counts. Then `manage.py recount
   --check` compares the counts with the signatures.

    .venv/bin/python bench/write_surge.py [--seconds 60] [--clients 8]

Bounded in time; traffic goes to 127.0.0.1 only. See bench/README.md.
"""

import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

import production
import psycopg
import redis
from production import SERVER
from surge import machine
from timing import summary

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "undersigned_bench_surge"
BROKER = os.environ.get("BENCH_SURGE_REDIS_URL", "redis://127.0.0.1:6379/11")
APP_PORT, SMTP_PORT = 8141, 8142
SLUG = "launch"
COUNTRIES = ["KE", "NG", "BR", "IN", "DE", "FR", "MX", "PH", "UA", "ZA"]
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STARTED_FIELD = re.compile(r'name="started" value="([^"]+)"')
CSRF_COOKIE = re.compile(r"csrftoken=([^;]+)")


def environment() -> dict:
    return production.environment(
        DATABASE,
        REDIS_URL=BROKER,
        EMAIL_URL=f"smtp://127.0.0.1:{SMTP_PORT}",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=f"http://127.0.0.1:{APP_PORT}",
        BIND=f"127.0.0.1:{APP_PORT}",
        # Each simulated signer is at an address of their own and takes their time.
        NUM_PROXIES="1",
        SIGN_MIN_FILL_SECONDS="0",
    )


def manage(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment(),
        check=check,
        capture_output=True,
        text=True,
    )


def build_database() -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    manage("migrate", "--noinput")
    manage("collectstatic", "--noinput")
    # An open letter without review: a confirmation approves and counts at once.
    manage(
        "shell",
        "-c",
        "from campaigns.models import Letter; Letter.objects.create(title_en='Launch', "
        f"slug='{SLUG}', body_en='We urge you.', language='en', status='open', "
        "requires_approval=False)",
    )
    redis.Redis.from_url(BROKER).flushdb()


def start(command: list[str]) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=ROOT, env=environment())


def wait_for_app() -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            status, _, _ = call("GET", "/healthz", {})
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def call(method: str, path: str, headers: dict, body: bytes | None = None):
    # One connection per request, closed at once: gunicorn's sync workers close it anyway.
    connection = http.client.HTTPConnection("127.0.0.1", APP_PORT, timeout=20)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


class Requests:
    """Latencies of each kind of request and the errors, from every client thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}

    def timed(self, kind: str, expected: int, method: str, path: str, headers: dict, body=None):
        started = time.perf_counter()
        try:
            status, response_headers, content = call(method, path, headers, body)
        except OSError:
            status, response_headers, content = 0, None, b""
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            if status == expected:
                self.latencies.setdefault(kind, []).append(elapsed)
            else:
                self.errors[kind] = self.errors.get(kind, 0) + 1
        return status == expected, response_headers, content

    def rows(self, seconds: float) -> dict:
        kinds = sorted(set(self.latencies) | set(self.errors))
        return {
            kind: {
                "done": len(self.latencies.get(kind, [])),
                "errors": self.errors.get(kind, 0),
                "per_minute": round(len(self.latencies.get(kind, [])) / seconds * 60),
                **(summary(self.latencies[kind]) if self.latencies.get(kind) else {}),
            }
            for kind in kinds
        }


def fill_in(requests, number: int, path: str, kinds: tuple[str, str], expected: int, answers):
    """What a person does with a form: load it (GET), then send it with `answers`, the page's
    CSRF token and cookie, from client address `number`. Whether the POST got `expected`, and
    its headers."""
    address = {"X-Forwarded-For": client_address(number)}
    ok, headers, content = requests.timed(f"{kinds[0]} (GET)", 200, "GET", path, address)
    found = ok and form_fields(headers, content)
    if not found:
        return False, None
    cookie, fields = found
    headers = {
        **address,
        "Cookie": f"csrftoken={cookie}",
        "Referer": f"http://127.0.0.1:{APP_PORT}{path}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    body = urllib.parse.urlencode(fields | answers).encode()
    ok, headers, _ = requests.timed(f"{kinds[1]} (POST)", expected, "POST", path, headers, body)
    return ok, headers


def form_fields(headers, content: bytes) -> tuple[str, dict] | None:
    page = content.decode()
    token, started = CSRF_FIELD.search(page), STARTED_FIELD.search(page)
    cookie = CSRF_COOKIE.search(" ".join(headers.get_all("Set-Cookie") or []))
    if not (token and cookie):
        return None
    fields = {"csrfmiddlewaretoken": token.group(1)}
    if started:
        fields["started"] = started.group(1)
    return cookie.group(1), fields


PROGRAMS = {"gunicorn": "app (gunicorn)", "celery": "email worker (celery)",
            "postgres": "PostgreSQL", "redis-server": "Redis", "smtp_sink": "SMTP server",
            "write_surge": "clients"}  # fmt: skip


def cpu_seconds() -> dict[str, float]:
    """CPU time used so far by each program of the layout, from /proc (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    used: dict[str, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        for needle, program in PROGRAMS.items():
            if needle in command:
                # Its own time and that of its children that have ended (a backend, a worker).
                ticks = sum(int(value) for value in fields[11:15])
                used[program] = used.get(program, 0) + ticks / tick
                break
    return used


def cpu_during(before: dict, after: dict, seconds: float) -> dict[str, float]:
    """Cores used on average by each program between two readings."""
    return {
        program: round((after.get(program, 0) - before.get(program, 0)) / seconds, 2)
        for program in after
    }


def client_address(number: int) -> str:
    """An IPv4 address in a /24 of its own for each simulated person (the limits count by
    address and by /24)."""
    return f"{10 + (number >> 16)}.{number >> 8 & 255}.{number & 255}.1"


def run_clients(clients: int, seconds: float, work) -> float:
    deadline = time.monotonic() + seconds
    counter = iter(range(10**9))
    lock = threading.Lock()

    def client():
        while time.monotonic() < deadline:
            with lock:
                number = next(counter)
            if not work(number):
                continue

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def sign_surge(clients: int, seconds: float) -> tuple[dict, int, float]:
    requests = Requests()
    path = f"/letters/{SLUG}/sign/"

    def sign(number: int) -> bool:
        answers = {
            "organisation_name": f"Surge Organisation {number}",
            "website": f"https://surge{number}.example.org",
            "country": COUNTRIES[number % len(COUNTRIES)],
            "contact_name": "Contact",
            "contact_email": f"contact@surge{number}.example.org",
            "list_publicly": "on",
            "authorised": "on",
            "consent": "on",
        }
        ok, headers = fill_in(requests, number, path, ("sign form", "signature"), 302, answers)
        return ok and headers["Location"].endswith("/sign/check-email/")

    wall = run_clients(clients, seconds, sign)
    rows = requests.rows(wall)
    return rows, rows.get("signature (POST)", {}).get("done", 0), wall


def confirm_surge(links: list[str], clients: int, seconds: float) -> tuple[dict, float]:
    requests = Requests()
    paths = iter(links)
    lock = threading.Lock()

    def confirm(number: int) -> bool:
        with lock:
            path = next(paths, None)
        if path is None:
            time.sleep(0.05)
            return False
        ok, _ = fill_in(requests, number, path, ("confirm page", "confirmation"), 200, {})
        return ok

    wall = run_clients(clients, seconds, confirm)
    return requests.rows(wall), wall


def wait_for_links(log: Path, expected: int, limit: float) -> tuple[list[str], float]:
    """The confirmation links received so far, waiting until `expected` or `limit` seconds."""
    started = time.monotonic()
    while True:
        links = [line.split()[1] for line in log.read_text().splitlines() if line.strip()]
        elapsed = time.monotonic() - started
        if len(links) >= expected or elapsed > limit:
            return links, elapsed
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--concurrency", type=int, default=1, help="Celery worker processes")
    options = parser.parse_args()

    print("Building the database…")
    build_database()
    log = Path(tempfile.mkdtemp()) / "links"
    log.touch()
    bin_dir = Path(sys.executable).parent
    processes = [
        start([sys.executable, "bench/smtp_sink.py", str(SMTP_PORT), str(log)]),
        start([str(bin_dir / "gunicorn"), "-c", "gunicorn.conf.py", "config.wsgi",
               "--log-level", "warning"]),
        start([str(bin_dir / "celery"), "-A", "config", "worker", "--loglevel", "WARNING",
               "--concurrency", str(options.concurrency)]),
    ]  # fmt: skip
    results: dict = {"options": vars(options), "machine": machine()}
    try:
        wait_for_app()
        time.sleep(3)  # the worker connects
        print(f"Signing: {options.clients} clients for {options.seconds:.0f} s…")
        before = cpu_seconds()
        rows, accepted, wall = sign_surge(options.clients, options.seconds)
        cores = cpu_during(before, cpu_seconds(), wall)
        links, after = wait_for_links(log, accepted, limit=120)
        results["sign"] = {"requests": rows, "accepted": accepted, "seconds": wall,
                           "emails": len(links), "emails_done_after_s": after,
                           "cores": cores}  # fmt: skip
        print(f"Confirming: {options.clients} clients for {options.seconds:.0f} s…")
        before = cpu_seconds()
        confirmed_rows, wall = confirm_surge(links, options.clients, options.seconds)
        cores = cpu_during(before, cpu_seconds(), wall)
        recount = manage("recount", "--check", check=False)
        results["confirm"] = {
            "requests": confirmed_rows,
            "seconds": wall,
            "cores": cores,
            "recount_check": recount.returncode,
            "recount_output": (recount.stdout + recount.stderr).strip()[-500:],
        }
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)

    report(results)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (out / f"write-surge-{stamp}.json").write_text(json.dumps(results, indent=2))


def report(results: dict) -> None:
    options = results["options"]
    print(f"\n{results['machine']}; gunicorn.conf.py; one Celery worker of "
          f"{options['concurrency']}; {options['clients']} clients, {options['seconds']:.0f} s "
          "per surge\n")  # fmt: skip
    print("| what | per minute | p50 ms | p95 ms | p99 ms | errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for surge in ("sign", "confirm"):
        for kind, row in results[surge]["requests"].items():
            latency = " | ".join(f"{row.get(key, 0):.1f}" for key in ("p50_ms", "p95_ms", "p99_ms"))
            print(f"| {kind} | {row['per_minute']:,} | {latency} | {row['errors']} |")
    sign = results["sign"]
    print(
        f"\nSignatures accepted: {sign['accepted']:,}; confirmation emails at the SMTP server: "
        f"{sign['emails']:,}, the last {sign['emails_done_after_s']:.1f} s after the surge."
    )
    confirm = results["confirm"]
    verdict = "equal" if confirm["recount_check"] == 0 else "DIFFERENT"
    print(f"Counts after the confirmations, by `recount --check`: {verdict}.")  # fmt: skip
    for surge in ("sign", "confirm"):
        cores = ", ".join(f"{name} {used:.2f}" for name, used in results[surge]["cores"].items())
        print(f"Cores used during the {surge} surge: {cores}.")


if __name__ == "__main__":
    main()
