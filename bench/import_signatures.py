"""How long `manage.py import_signatures` takes for a 10,000-row file.

PostgreSQL (`undersigned_bench_import`, dropped first) with one open letter that already has
`--existing` approved signatures (the duplicate checks read them), Redis (database 12) as the
broker and cache, and no worker: each imported contact's email job is queued in Redis, as it
would be ahead of busy workers, and that is part of the time. The file is a generated CSV of
`--rows` distinct organisations over 100 countries, 5% unnamed.

Measured, each as the wall-clock time of the command in its own process (Django's start-up
included): a `--dry-run` (read and check every row), then the import with `--approve` (check,
write, count, queue the emails). Then the email jobs waiting in Redis are counted.

    .venv/bin/python bench/import_signatures.py [--rows 10000] [--existing 1000]

Traffic goes to 127.0.0.1 only. See bench/README.md.
"""

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
import production  # noqa: E402
from letter_page import COUNTRIES  # noqa: E402
from production import SERVER  # noqa: E402

DATABASE = "undersigned_bench_import"
BROKER = os.environ.get("BENCH_IMPORT_REDIS_URL", "redis://127.0.0.1:6379/12")
SLUG = "bench-import"
HEADER = [
    "organisation_name", "website", "country", "contact_name", "contact_role",
    "contact_email", "list_publicly", "initiator", "comment",
]  # fmt: skip


def environment() -> dict:
    return production.environment(DATABASE, REDIS_URL=BROKER)


def manage(*args: str) -> float:
    """Run a management command; its wall-clock seconds."""
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment(),
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - started
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    print(f"  {result.stdout.strip()}")
    return seconds


def build_database(existing: int) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    manage("migrate", "--noinput")
    os.environ.update(environment())
    import django

    django.setup()
    from campaigns.models import Letter
    from signatories.counts import recount
    from signatories.models import Signature
    from signatories.tokens import new_withdraw_key

    letter = Letter.objects.create(
        title="Benchmark letter", slug=SLUG, status=Letter.Status.OPEN, body="We urge you."
    )
    Signature.objects.bulk_create(
        [
            Signature(
                letter=letter,
                organisation_name=f"Existing Organisation {n}",
                country=COUNTRIES[n % len(COUNTRIES)],
                contact_name="Contact",
                contact_email=f"c{n}@existing{n}.example",
                email_canonical=f"c{n}@existing{n}.example",
                status=Signature.Status.APPROVED,
                withdraw_key=new_withdraw_key(),
                email_state=Signature.EmailState.SENT,
            )
            for n in range(existing)
        ],
        batch_size=1000,
    )
    recount(letter, repair=True)
    with psycopg.connect(f"{SERVER}/{DATABASE}", autocommit=True) as db:
        db.execute("VACUUM ANALYZE")


def write_file(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        for n in range(rows):
            writer.writerow(
                [
                    f"Imported Association {n}",
                    f"https://association{n}.example.org",
                    COUNTRIES[n % len(COUNTRIES)],
                    f"Contact Person {n}",
                    "Director",
                    f"contact{n}@association{n}.example.org",
                    "no" if n % 20 == 7 else "yes",
                    "yes" if n < 5 else "no",
                    "Signed at the coalition meeting" if n % 10 == 0 else "",
                ]
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--existing", type=int, default=1_000)
    options = parser.parse_args()

    print(f"Building {DATABASE} with {options.existing:,} existing signatures…")
    build_database(options.existing)
    broker = redis.Redis.from_url(BROKER)
    broker.flushdb()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "signatures.csv"
        write_file(path, options.rows)
        size = path.stat().st_size
        print(f"File: {options.rows:,} rows, {size / 2**20:.1f} MB")
        dry = manage("import_signatures", SLUG, str(path), "--dry-run")
        real = manage("import_signatures", SLUG, str(path), "--approve")

    manage("recount", "--check", "--letter", SLUG)  # the import kept the counts exact
    from campaigns.models import Letter
    from signatories.counts import letter_counts
    from signatories.models import Signature

    letter = Letter.objects.get(slug=SLUG)
    imported = Signature.objects.filter(letter=letter, source="import").count()
    queued = broker.llen("celery")
    print(f"dry run:   {dry:.1f} s")
    print(f"import:    {real:.1f} s (check, write, count, queue the emails)")
    print(f"imported:  {imported:,}; counted now: {letter_counts(letter).signatories:,}")
    print(f"email jobs waiting in Redis: {queued:,}")


if __name__ == "__main__":
    main()
