"""How long an update takes to reach 10,000 signatories, with a real Celery worker.

PostgreSQL (`undersigned_bench_updates`, dropped first), Redis (database 13) as the broker, an
aiosmtpd server in this process on 127.0.0.1 that accepts every message, and one
`celery -A config worker` (prefork, --concurrency, default 2). The signatures are generated in
SQL; the update is created and sent through the services (`update_create`, `update_send`), as
the admin does. Measured: from the send until the update is "sent" (every delivery recorded),
and how many emails arrived, to whom, and how many twice.

    .venv/bin/python bench/updates.py [--recipients 10000] [--concurrency 2] [--time-limit 180]

Bounded in time; traffic goes to 127.0.0.1 only. See bench/README.md.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import production
import psycopg
import redis
from aiosmtpd.controller import Controller
from production import SERVER

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

DATABASE = "undersigned_bench_updates"
BROKER = os.environ.get("BENCH_UPDATES_REDIS_URL", "redis://127.0.0.1:6379/13")
SMTP_PORT = 8125


class Counting:
    """Accepts every message and counts it per recipient (no parsing: the server must not be
    what is measured)."""

    def __init__(self):
        self.received: Counter = Counter()
        self.last_at = 0.0

    async def handle_DATA(self, server, session, envelope):
        for address in envelope.rcpt_tos:
            self.received[address] += 1
        self.last_at = time.monotonic()
        return "250 Message accepted for delivery"


def environment() -> dict:
    return production.environment(
        DATABASE, REDIS_URL=BROKER, EMAIL_URL=f"smtp://127.0.0.1:{SMTP_PORT}"
    )


def build_database(recipients: int) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=environment(),
        check=True,
        capture_output=True,
    )
    with psycopg.connect(f"{SERVER}/{DATABASE}") as db:
        letter_id = _insert(
            db,
            "campaigns_letter",
            {
                "title": "'Benchmark letter'",
                "title_en": "'Benchmark letter'",
                "slug": "'bench-updates'",
                "status": "'open'",
                "body": "'We urge you.'",
                "body_en": "'We urge you.'",
                "language": "'en'",
            },
            "FROM generate_series(1, 1) AS g",
        )
        _insert(
            db,
            "signatories_signature",
            {
                "letter_id": str(letter_id),
                "organisation_name": "'Organisation ' || g",
                "country": "'KE'",
                "contact_name": "'Contact'",
                "contact_email": "'c' || g || '@o' || g || '.example'",
                "email_canonical": "'c' || g || '@o' || g || '.example'",
                "language": "(ARRAY['en','fr','es'])[1 + g % 3]",
                "status": "'approved'",
                "list_publicly": "g % 20 <> 7",
                "withdraw_key": "'bench-' || g",
                "email_state": "'sent'",
            },
            f"FROM generate_series(1, {int(recipients)}) AS g",
        )
        db.commit()
    with psycopg.connect(f"{SERVER}/{DATABASE}", autocommit=True) as db:
        db.execute("VACUUM ANALYZE")


def _insert(db, table: str, values: dict[str, str], source: str) -> int:
    """INSERT … SELECT with `values` (SQL expressions), and a neutral value for every other
    column that takes no NULL and has no default: the benchmark follows the schema."""
    columns = db.execute(
        """SELECT column_name, data_type FROM information_schema.columns
           WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL
             AND is_identity = 'NO'""",
        (table,),
    ).fetchall()
    neutral = {"boolean": "false", "integer": "0", "smallint": "0", "bigint": "0"}
    filled = dict(values)
    for name, data_type in columns:
        if name not in filled:
            if data_type.startswith("timestamp"):
                filled[name] = "now()"
            elif data_type == "date":
                filled[name] = "current_date"
            else:
                filled[name] = neutral.get(data_type, "''")
    names = ", ".join(filled)
    expressions = ", ".join(filled.values())
    row = db.execute(
        f"INSERT INTO {table} ({names}) SELECT {expressions} {source} RETURNING id"
    ).fetchone()
    return row[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=180)
    options = parser.parse_args()

    print(f"Building {DATABASE} with {options.recipients:,} approved signatures…")
    build_database(options.recipients)
    redis.Redis.from_url(BROKER).flushdb()
    os.environ.update(environment())

    mailbox = Counting()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=SMTP_PORT)
    smtp.start()
    log = (ROOT / ".bench-updates-worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency",
         str(options.concurrency), "--loglevel", "WARNING", "--without-gossip",
         "--without-mingle"],
        cwd=ROOT, env=environment(), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        import django

        django.setup()
        from config.celery import app
        from signatories import updates
        from signatories.models import Update

        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=0.5):
            if time.monotonic() > deadline or worker.poll() is not None:
                raise SystemExit("the Celery worker did not start; see .bench-updates-worker.log")

        letter = Update._meta.get_field("letter").related_model.objects.get(slug="bench-updates")
        update = updates.update_create(letter=letter, subject="Benchmark", body="**Hi**", by=None)
        started = time.monotonic()
        count = updates.update_send(update=update, by=None)
        deadline = started + options.time_limit
        while time.monotonic() < deadline:
            if Update.objects.filter(pk=update.pk, status=Update.Status.SENT).exists():
                break
            time.sleep(0.2)
        finished = time.monotonic()
        time.sleep(2)  # a late duplicate, if any, arrives meanwhile
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        smtp.stop()
        log.close()

    states = Counter(update.deliveries.values_list("state", flat=True))
    duplicates = sum(times - 1 for times in mailbox.received.values())
    print(f"recipients:     {count:,}")
    print(f"delivered:      {len(mailbox.received):,} distinct recipients")
    print(f"duplicates:     {duplicates}")
    print(f"deliveries:     {dict(states)}")
    print(f"seconds:        {finished - started:.1f} (send to every delivery recorded)")
    print(f"last received:  {mailbox.last_at - started:.1f} s after the send")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    result = {
        "recipients": count,
        "delivered": len(mailbox.received),
        "duplicates": duplicates,
        "seconds": round(finished - started, 1),
        "concurrency": options.concurrency,
    }
    (out / f"updates-{stamp}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
