"""A reader surge on one machine: the letter page (at 1,000 and 1,000,000 signatures), its
JSON, the home page and the sign form, each against the ceiling of the same gunicorn
configuration serving a view that does nothing.

Serves the app as in production (gunicorn with gunicorn.conf.py, PostgreSQL, Redis as the
cache) on 127.0.0.1, and a second gunicorn with the same configuration serving the no-op view
(bench/noop). Drives each URL with wrk (8 connections) for a fixed time; rounds interleave the
URLs and the ceiling (A, B, …, ceiling, then again), and the table gives medians.

    .venv/bin/python bench/surge.py [--reuse] [--rounds 3] [--seconds 10] [--large 1000000]

Bounded: rounds times URLs times seconds. Needs wrk (Debian: wrk; scripts/bench-tools installs it).
See bench/README.md.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import redis
from letter_page import ROOT, build_database, env, manage

APP_PORT, CEILING_PORT = 8131, 8132
LUA = Path(__file__).with_name("wrk_report.lua")


def start(port: int, **overrides) -> subprocess.Popen:
    server_env = env(BIND=f"127.0.0.1:{port}", SITE_URL=f"http://127.0.0.1:{port}", **overrides)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "config.wsgi",
         "--log-level", "warning"],
        cwd=ROOT,
        env=server_env,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"gunicorn on {port} did not start")


def wrk(url: str, *, seconds: int, connections: int) -> dict:
    command = [shutil.which("wrk") or "wrk", "-t2", f"-c{connections}", f"-d{seconds}s"]
    command += ["--timeout", "5s", "-s", str(LUA), url]
    result = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=seconds + 30
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    errors = sum(report[key] for key in ("connect", "read", "write", "status", "timeout"))
    return {
        "per_second": report["requests"] / report["seconds"],
        "p50_ms": report["p50_us"] / 1000,
        "p95_ms": report["p95_us"] / 1000,
        "p99_ms": report["p99_us"] / 1000,
        "errors": errors,
    }


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {memory:.0f} GiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10, help="per URL and round")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep the database of a last run")
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: scripts/bench-tools installs it (Debian: apt-get install wrk)")

    if not options.reuse:
        print("Building the database…")
        build_database({"bench-small": 1_000, "bench-large": options.large})
    manage("collectstatic", "--noinput")
    redis.Redis.from_url(env()["REDIS_URL"]).flushdb()
    targets = {
        "letter page, 1,000": "/letters/bench-small/",
        f"letter page, {options.large:,}": "/letters/bench-large/",
        "letter JSON, 1,000": "/api/letters/bench-small/",
        f"letter JSON, {options.large:,}": "/api/letters/bench-large/",
        "home": "/",
        "sign form": "/letters/bench-small/sign/",
    }
    results = {name: [] for name in [*targets, "ceiling (no-op view)"]}
    app = start(APP_PORT)
    ceiling = start(CEILING_PORT, DJANGO_SETTINGS_MODULE="bench.noop.settings")
    try:
        for number in range(options.rounds):
            order = list(targets.items())
            order = order[number % len(order) :] + order[: number % len(order)]
            print(f"  round {number + 1} of {options.rounds}")
            for name, path in [*order, ("ceiling (no-op view)", None)]:
                url = (f"http://127.0.0.1:{APP_PORT}{path}" if path
                       else f"http://127.0.0.1:{CEILING_PORT}/noop/")  # fmt: skip
                results[name].append(
                    wrk(url, seconds=options.seconds, connections=options.connections)
                )
    finally:
        for server in (app, ceiling):
            server.terminate()
            server.wait(timeout=20)

    medians = {
        name: {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        for name, runs in results.items()
    }
    top = medians["ceiling (no-op view)"]["per_second"]
    print(
        f"\n{machine()}; gunicorn.conf.py; wrk, {options.connections} connections, "
        f"{options.seconds} s per URL; median of {options.rounds} rounds\n"
    )
    print("| what | req/s | p50 ms | p95 ms | p99 ms | errors | ratio to the ceiling |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, row in medians.items():
        latency = " | ".join(f"{row[key]:.1f}" for key in ("p50_ms", "p95_ms", "p99_ms"))
        print(
            f"| {name} | {row['per_second']:,.0f} | {latency} | {row['errors']:.0f} | "
            f"{row['per_second'] / top:.1%} |"
        )

    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (out / f"surge-{stamp}.json").write_text(
        json.dumps(
            {"options": vars(options), "machine": machine(), "rounds": results, "medians": medians},
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
