"""Email jobs on the embedded default (no REDIS_URL): a thread in the web process sends them.

A request that queues an email hands the job to this thread and answers at once, whatever
the SMTP server does: no email is ever sent on a request's critical path. The thread retries
failures after the same backoff as the Celery worker would (the outbox decides it), and every
SWEEP_EVERY it runs the outbox's sweep, so emails queued before a restart (whose jobs died with
the process) still go out. Nothing to start besides `manage.py runserver`.

One thread per process, started on first use. With several processes (gunicorn without
Redis), each sends its own jobs; the outbox's job ids and leases keep any email from going
twice.
"""

import heapq
import itertools
import logging
import threading
import time

from django.db import close_old_connections, connection

logger = logging.getLogger(__name__)

SWEEP_EVERY = 60.0  # seconds


class LocalSender:
    def __init__(self):
        self._jobs: list[tuple[float, int, int, str, str]] = []  # (due, order, id, job, token)
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._next_sweep = 0.0
        self._busy = False
        self._stopping = False

    def submit(self, signature_id: int, job: str, token: str, countdown: float | None) -> None:
        """Send the job's email in the background, after `countdown` seconds if given."""
        due = time.monotonic() + (countdown or 0)
        with self._wake:
            heapq.heappush(self._jobs, (due, next(self._order), signature_id, job, token))
            self._start()
            self._wake.notify()

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._next_sweep = time.monotonic()  # first thing: what a restart left behind
            self._thread = threading.Thread(target=self._run, name="email-sender", daemon=True)
            self._thread.start()

    def ensure_running(self) -> None:
        with self._wake:
            self._start()

    def _run(self) -> None:
        from signatories import outbox

        while not self._stopping:
            due = self._next_due()
            self._busy = True
            try:
                for signature_id, job, token in due:
                    outbox.deliver(signature_id=signature_id, job=job, token=token)
                if time.monotonic() >= self._next_sweep:
                    self._next_sweep = time.monotonic() + SWEEP_EVERY
                    outbox.sweep()
            except Exception:  # a bug, or the database away: log, keep the thread alive
                logger.exception("Sending emails in the background failed; retrying later")
                time.sleep(1)
            finally:
                self._busy = False
                close_old_connections()
        connection.close()

    def _next_due(self) -> list[tuple[int, str, str]]:
        """Wait until a job is due (or it is time to sweep) and take every job that is."""
        with self._wake:
            while True:
                now = time.monotonic()
                if self._jobs and self._jobs[0][0] <= now:
                    due = []
                    self._busy = True  # taken: drain() waits for them too
                    while self._jobs and self._jobs[0][0] <= now:
                        _, _, signature_id, job, token = heapq.heappop(self._jobs)
                        due.append((signature_id, job, token))
                    return due
                if now >= self._next_sweep or self._stopping:
                    return []
                wait_until = min([self._next_sweep, *(job[0] for job in self._jobs[:1])])
                self._wake.wait(timeout=max(0.0, wait_until - now))

    def stop(self) -> None:
        """End the thread (and its database connection); jobs not yet due are dropped, and the
        sweep sends their emails later."""
        with self._wake:
            self._stopping = True
            self._wake.notify()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def drain(self, timeout: float) -> bool:
        """Wait until every job due within `timeout` has been handed over (for a command that
        queues emails and then exits, taking this thread with it). Says whether it finished."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._wake:
                idle = not any(job[0] <= deadline for job in self._jobs) and not self._busy
            if idle:
                return True
            time.sleep(0.05)
        return False


sender = LocalSender()
