"""How the public letter page and its JSON cost with 1,000 and with 1,000,000 signatures.

Builds a PostgreSQL database (`undersigned_bench`, dropped first), fills two letters with
approved signatures across 100 countries (5% unnamed), serves the app with gunicorn and Redis
as in production, and times requests from a few concurrent clients on 127.0.0.1. Bounded:
a fixed number of requests per URL, and a time limit on each.

    .venv/bin/python bench/letter_page.py [--requests 2000] [--clients 4] [--large 1000000]

Prints a table and writes it as JSON to bench/results/. See bench/README.md.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import production
import psycopg
import redis
from production import SERVER
from timing import run_timed, summary

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "undersigned_bench"
PORT = 8123
COUNTRIES = [
    "AF", "AL", "DZ", "AR", "AM", "AU", "AT", "AZ", "BD", "BE", "BJ", "BO", "BA", "BW", "BR",
    "BG", "BF", "KH", "CM", "CA", "CL", "CO", "CD", "CR", "HR", "CZ", "DK", "EC", "EG", "SV",
    "EE", "ET", "FI", "FR", "GE", "DE", "GH", "GR", "GT", "HN", "HU", "IN", "ID", "IE", "IL",
    "IT", "JP", "JO", "KZ", "KE", "KR", "KG", "LV", "LB", "LT", "MW", "MY", "ML", "MX", "MN",
    "MA", "MZ", "NP", "NL", "NZ", "NI", "NG", "NO", "PK", "PA", "PY", "PE", "PH", "PL", "PT",
    "RO", "RW", "SN", "RS", "SK", "SI", "ZA", "ES", "LK", "SE", "CH", "TW", "TZ", "TH", "TN",
    "TR", "UG", "UA", "GB", "US", "UY", "VE", "VN", "ZM", "ZW",
]  # fmt: skip


def env(**extra) -> dict:
    settings = {
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{PORT}",
    }
    return production.environment(DATABASE, **(settings | extra))


def manage(*args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env(), check=True, capture_output=True
    )


def build_database(sizes: dict[str, int]) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    manage("migrate", "--noinput")
    with psycopg.connect(f"{SERVER}/{DATABASE}") as db:
        for slug, size in sizes.items():
            started = time.monotonic()
            letter_id = db.execute(
                """INSERT INTO campaigns_letter (title, title_en, slug, addressee, summary,
                   summary_en, body, body_en, language, contact_email, status, requires_approval,
                   hide_unnamed_countries, always_challenge, goal, closes_at, created_at,
                   updated_at, opened_at, revision, published_version, invite_key, text_version,
                   delivered_to)
                   VALUES (%(title)s, %(title)s, %(slug)s, 'The UN', '', '', 'We urge you.',
                           'We urge you.', 'en', '', 'open', true, false, false, %(size)s, NULL,
                           now(), now(), now(), 0, 1, %(invite)s, 0, '')
                   RETURNING id""",
                {
                    "title": f"Benchmark letter with {size:,} signatures",
                    "slug": slug,
                    "size": size,
                    "invite": f"bench-invite-{slug}",
                },
            ).fetchone()[0]
            # Generated in the database: a million rows in seconds, not minutes.
            db.execute(
                """INSERT INTO signatories_signature (letter_id, organisation_name, website,
                   country, contact_name, contact_role, contact_email, list_publicly, authorised,
                   consent, comment, language, email_canonical, name_normalised, website_domain,
                   email_domain_matches, lookalike_domain, hide_country, ip_hash, network_hash,
                   status, initiator, created_at, confirmed_at,
                   approved_at, withdraw_key, revision, email_state, email_kind,
                   email_attempts, email_error, email_updated_at, email_job, text_version,
                   address_kind, email_domain, name_key, rejection_reason, source)
                   SELECT %(letter)s, 'Organisation ' || md5(g::text),
                          'https://o' || g || '.example',
                          (%(countries)s::text[])[1 + g %% %(n)s], 'Contact', '',
                          'c' || g || '@o' || g || '.example', g %% 20 <> 7, true, true, '', 'en',
                          'c' || g || '@o' || g || '.example', 'organisation ' || md5(g::text),
                          'o' || g || '.example', true, false, false, '', '',
                          'approved', g <= 5, now(), now(), now(),
                          %(slug)s || '-' || g, 0, 'sent', 'approved', 1, '', now(), '', 1,
                          'other', 'o' || g || '.example', 'organisation ' || md5(g::text), '',
                          'form'
                   FROM generate_series(1, %(size)s) AS g""",
                {
                    "letter": letter_id,
                    "countries": COUNTRIES,
                    "n": len(COUNTRIES),
                    "slug": slug,
                    "size": size,
                },
            )
            db.commit()
            print(f"  {slug}: {size:,} signatures in {time.monotonic() - started:.0f}s")
    with psycopg.connect(f"{SERVER}/{DATABASE}", autocommit=True) as db:
        db.execute("VACUUM ANALYZE")
    manage("recount")


def start_server(workers: int, env_overrides: dict | None = None) -> subprocess.Popen:
    manage("collectstatic", "--noinput")
    server_env = env(**(env_overrides or {}))
    redis_url = server_env["REDIS_URL"]
    redis.Redis.from_url(redis_url).flushdb()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=server_env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def fetch(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=10) as response:
        response.read()
        return response.status == 200


def measure(url: str, *, requests: int, clients: int, time_limit: float) -> dict:
    """Send `requests` GETs from `clients` threads; latencies of the 200 answers, in ms."""
    for _ in range(min(50, requests)):  # warm up the processes and the cache
        fetch(url)
    return run_timed(lambda _: fetch(url), count=requests, threads=clients, time_limit=time_limit)


def measure_cold(url: str, slug: str, *, requests: int) -> dict:
    """One client; before each request the letter's version moves on, as a signature approval
    does, so nothing cached applies: the cost of the first view after every change."""
    latencies = []
    with psycopg.connect(f"{SERVER}/{DATABASE}", autocommit=True) as db:
        for _ in range(requests):
            db.execute(
                "UPDATE campaigns_letter SET published_version = published_version + 1 "
                "WHERE slug = %s",
                (slug,),
            )
            started = time.perf_counter()
            fetch(url)
            latencies.append((time.perf_counter() - started) * 1000)
    return {"done": len(latencies), **summary(latencies)}


def combine(rounds: list[dict]) -> dict:
    """The median of each figure over the rounds."""
    keys = [key for key in rounds[0] if key.endswith(("_ms", "per_second"))]
    combined = {key: round(statistics.median(r[key] for r in rounds), 2) for key in keys}
    return {"done": sum(r["done"] for r in rounds), **combined}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="per URL (default 2000)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (default 4)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3)")
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--time-limit", type=float, default=60, help="seconds per round at most")
    parser.add_argument("--cold-requests", type=int, default=200, help="after-a-change samples")
    parser.add_argument("--reuse", action="store_true", help="keep the database of a last run")
    options = parser.parse_args()

    sizes = {"bench-small": options.small, "bench-large": options.large}
    if not options.reuse:
        print(f"Building {DATABASE}…")
        build_database(sizes)
    targets = [
        (slug, size, path)
        for slug, size in sizes.items()
        for path in (f"/letters/{slug}/", f"/api/letters/{slug}/")
    ]
    steady = {(size, path): [] for _, size, path in targets}
    cold = {(size, path): [] for _, size, path in targets}
    server = start_server(options.workers)
    try:
        # Rounds alternate the order of the URLs, so that drift in the machine's speed over
        # the run weighs on every URL alike.
        for number in range(options.rounds):
            print(f"  round {number + 1} of {options.rounds}")
            for slug, size, path in targets if number % 2 == 0 else reversed(targets):
                url = f"http://127.0.0.1:{PORT}{path}"
                steady[size, path].append(
                    measure(
                        url,
                        requests=options.requests // options.rounds,
                        clients=options.clients,
                        time_limit=options.time_limit,
                    )
                )
                cold[size, path].append(
                    measure_cold(url, slug, requests=options.cold_requests // options.rounds)
                )
    finally:
        server.terminate()
        server.wait(timeout=20)

    results = [{"signatures": s, "path": p, **combine(r)} for (s, p), r in steady.items()]
    cold_results = [{"signatures": s, "path": p, **combine(r)} for (s, p), r in cold.items()]
    print(f"\nSteady load, {options.clients} clients (median of {options.rounds} rounds):")
    print(f"{'what':<6} {'signatures':>10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>7}")
    for row in results:
        kind = "page" if row["path"].startswith("/letters") else "json"
        print(
            f"{kind:<6} {row['signatures']:>10,} {row['p50_ms']:>8} {row['p95_ms']:>8} "
            f"{row['p99_ms']:>8} {row['per_second']:>7}"
        )
    print("\nFirst request after each change (nothing cached applies), one client:")
    print(f"{'what':<6} {'signatures':>10} {'p50 ms':>8} {'p95 ms':>8}")
    for row in cold_results:
        kind = "page" if row["path"].startswith("/letters") else "json"
        print(f"{kind:<6} {row['signatures']:>10,} {row['p50_ms']:>8} {row['p95_ms']:>8}")
    print()
    for label, rows in (("steady", results), ("after a change", cold_results)):
        for kind in ("/letters/", "/api/letters/"):
            small, large = (row for row in rows if row["path"].startswith(kind))
            ratio = large["p50_ms"] / small["p50_ms"]
            print(
                f"{label}, {kind}: p50 at {large['signatures']:,} is {ratio:.2f}x "
                f"the p50 at {small['signatures']:,}"
            )

    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (out / f"letter_page-{stamp}.json").write_text(
        json.dumps(
            {"options": vars(options), "results": results, "after_a_change": cold_results},
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
