"""A real Celery worker, in its own process, on the test database and the test Redis."""

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import redis
from django.conf import settings
from django.db import connection

from config.celery import app

ROOT = Path(__file__).resolve().parents[2]
# One task at a time in the worker's own process: the tests then read its log in order.
WORKER_OPTIONS = ["--pool", "solo", "--loglevel", "INFO", "--without-gossip", "--without-mingle"]


def database_url() -> str:
    """The URL of the database this test process uses (the test database, not the real one)."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def celery_worker(
    *,
    email_url: str = "memorymail://",
    site_url: str = "http://testserver",
    broker: str | None = None,
    flush: bool = True,
    log_name: str = "worker",
    **env_overrides: str,
):
    """Run `celery -A config worker` until the block ends; tasks sent meanwhile go to it."""
    broker = broker or settings.TEST_REDIS_URL
    if flush:
        redis.Redis.from_url(broker).flushdb()  # leftovers of an earlier run: not delivered
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": settings.SECRET_KEY,
        "DATABASE_URL": database_url(),
        "REDIS_URL": broker,
        "EMAIL_URL": email_url,
        "SITE_URL": site_url,
        "DEBUG": "false",
        "EMAIL_RETRY_BACKOFF": "1",  # retries within seconds, not minutes
        **env_overrides,
    }
    log = (ROOT / f".pytest-{log_name}.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", *WORKER_OPTIONS],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    previous = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager = False
    _use_broker(broker)
    try:
        _wait_until_ready(worker)
        yield worker
    finally:
        app.conf.task_always_eager = previous[0]
        _use_broker(previous[1])
        stop(worker)
        log.close()


def stop(process: subprocess.Popen) -> None:
    """Ask a process to stop, and make it if it does not within 20 s."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def _use_broker(url: str) -> None:
    """Point this process's Celery app at `url`, dropping the connections it pooled for the
    broker before (a ping would otherwise go there)."""
    app.conf.broker_url = url
    app._pool = None  # the next use opens a pool for the new broker
    app.amqp._producer_pool = None


def _wait_until_ready(worker: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"the Celery worker exited; see {ROOT / '.pytest-worker.log'}")
        if app.control.ping(timeout=0.5):
            return
    raise TimeoutError("the Celery worker did not answer a ping")


def wait_for(predicate, *, timeout: float = 30, interval: float = 0.1):
    """Poll until predicate() is truthy and return it; a worker works at its own pace."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise TimeoutError(f"gave up waiting after {timeout}s")
