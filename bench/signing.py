"""How many signatures a minute the app takes in a launch-day surge.

Two measurements on PostgreSQL (`undersigned_bench_writes`, dropped first) with Redis:

1. Submissions over HTTP: gunicorn serves the app; each of `--clients` clients loads the sign
   form (for its CSRF cookie) and posts it, `--signers` times in all. The email jobs queue in
   Redis (no worker runs), as they would ahead of busy workers.
2. Confirmations that approve at once (a letter without review), called in `--threads`
   threads: every one of them updates the counts and the letter's version, so this is where
   one letter's row serializes writers. Measured on one letter, then spread over ten.

    .venv/bin/python bench/signing.py [--signers 1000] [--clients 8] [--confirmations 2000]

Bounded in requests and time; traffic goes to 127.0.0.1 only. See bench/README.md.
"""

import argparse
import os
import re
import sys
import urllib.parse
import urllib.request
from datetime import timedelta
from http.cookiejar import CookieJar
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
from letter_page import PORT, SERVER, env, start_server  # noqa: E402
from timing import run_timed  # noqa: E402

DATABASE = "undersigned_bench_writes"
COUNTRIES = ["KE", "NG", "BR", "IN", "DE"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STARTED = re.compile(r'name="started" value="([^"]+)"')


def configure() -> None:
    """The environment of the benchmark server, for this process too (it runs services)."""
    os.environ.update(
        env(
            DATABASE_URL=f"{SERVER}/{DATABASE}",
            SECURE_COOKIES="false",
            DJANGO_SETTINGS_MODULE="config.settings",
            # Each simulated signer is a person at an address of their own (X-Forwarded-For,
            # one proxy trusted) who takes their time: what is measured is taking signatures,
            # not the abuse limits (bench/flood.py measures those).
            NUM_PROXIES="1",
            SIGN_MIN_FILL_SECONDS="0",
        )
    )


def submit_over_http(slug: str, *, signers: int, clients: int, time_limit: float) -> dict:
    url = f"http://127.0.0.1:{PORT}/letters/{slug}/sign/"

    def sign(number: int) -> bool:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        address = {"X-Forwarded-For": f"10.{number >> 8 & 255}.{number & 255}.1"}  # a /24 each
        opener.addheaders = list(address.items())
        # Each response is closed at once: gunicorn's sync workers wait for the client to
        # close before they take the next request.
        with opener.open(url, timeout=20) as response:
            form = response.read().decode()
        data = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": CSRF.search(form).group(1),
                "started": STARTED.search(form).group(1),
                "organisation_name": f"Surge Organisation {number}",
                "website": f"https://surge{number}.example.org",
                "country": COUNTRIES[number % len(COUNTRIES)],
                "contact_name": "Contact",
                "contact_email": f"contact@surge{number}.example.org",
                "list_publicly": "on",
                "authorised": "on",
                "consent": "on",
            }
        ).encode()
        request = urllib.request.Request(url, data=data, headers={"Referer": url})
        with opener.open(request, timeout=20) as response:
            response.read()
            return response.status == 200 and response.url.endswith("/sign/check-email/")

    return per_minute(run_timed(sign, count=signers, threads=clients, time_limit=time_limit))


def per_minute(result: dict) -> dict:
    per_second = result.pop("per_second")
    return {**result, "per_minute": round(per_second * 60)}


def confirm_in_threads(letters, *, confirmations: int, threads: int, time_limit: float) -> dict:
    from django.db import connection
    from django.utils import timezone

    from signatories.errors import SignatureError
    from signatories.models import Signature
    from signatories.services import signature_confirm
    from signatories.tokens import new_token, new_withdraw_key

    expiry = timezone.now() + timedelta(days=1)
    tokens = []
    pending = []
    for number in range(confirmations):
        token, digest = new_token()
        tokens.append(token)
        pending.append(
            Signature(
                letter=letters[number % len(letters)],
                organisation_name=f"Confirming Organisation {number}",
                country=COUNTRIES[number % len(COUNTRIES)],
                contact_name="Contact",
                contact_email=f"c{number}@confirm.example.org",
                email_canonical=f"c{number}@confirm.example.org",
                authorised=True,
                consent=True,
                confirmation_token_hash=digest,
                confirmation_expires_at=expiry,
                withdraw_key=new_withdraw_key(),
            )
        )
    Signature.objects.bulk_create(pending)
    connection.close()

    def confirm(number: int) -> bool:
        try:
            signature_confirm(token=tokens[number])
        except SignatureError:
            return False
        return True

    result = run_timed(
        confirm,
        count=len(tokens),
        threads=threads,
        time_limit=time_limit,
        on_thread_end=lambda: connection.close(),  # each thread's own connection
    )
    return per_minute(result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--signers", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--confirmations", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--time-limit", type=float, default=300)
    options = parser.parse_args()

    configure()
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    from campaigns.models import Letter

    def letter(slug: str, *, review: bool) -> Letter:
        return Letter.objects.create(
            title=slug, slug=slug, body="We urge you.", status="open", requires_approval=review
        )

    surge = letter("surge", review=True)
    server = start_server(
        3,
        env_overrides={
            key: os.environ[key] for key in ("DATABASE_URL", "NUM_PROXIES", "SIGN_MIN_FILL_SECONDS")
        },
    )
    try:
        submitted = submit_over_http(
            surge.slug,
            signers=options.signers,
            clients=options.clients,
            time_limit=options.time_limit,
        )
    finally:
        server.terminate()
        server.wait(timeout=20)
    print(f"Submissions over HTTP, {options.clients} clients: {submitted}")

    one = confirm_in_threads(
        [letter("one-letter", review=False)],
        confirmations=options.confirmations,
        threads=options.threads,
        time_limit=options.time_limit,
    )
    print(f"Confirmations approving at once, one letter, {options.threads} threads: {one}")
    ten = confirm_in_threads(
        [letter(f"ten-letters-{n}", review=False) for n in range(10)],
        confirmations=options.confirmations,
        threads=options.threads,
        time_limit=options.time_limit,
    )
    print(f"Confirmations approving at once, ten letters, {options.threads} threads: {ten}")


if __name__ == "__main__":
    main()
