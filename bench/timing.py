"""Timing shared by the benchmarks: run numbered operations from a few threads, bounded in
count and time, and summarise their latencies."""

import statistics
import threading
import time
from collections.abc import Callable


def summary(latencies: list[float]) -> dict:
    """p50, p95 and p99 of latencies in milliseconds."""
    ordered = sorted(latencies)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 2),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1], 2),
    }


def run_timed(
    operation: Callable[[int], bool],
    *,
    count: int,
    threads: int,
    time_limit: float,
    on_thread_end: Callable[[], None] = lambda: None,
) -> dict:
    """Call operation(0 … count-1) from `threads` threads until done or `time_limit` passes.

    `operation` returns whether it succeeded (or raises OSError: a failure too). Returns how
    many succeeded and failed, the latency summary of the successes, and the rate per second.
    """
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    numbers = iter(range(count))
    deadline = time.monotonic() + time_limit

    def worker():
        nonlocal errors
        while time.monotonic() < deadline:
            with lock:
                number = next(numbers, None)
            if number is None:
                break
            started = time.perf_counter()
            try:
                ok = operation(number)
            except OSError:
                ok = False
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors += 1
        on_thread_end()

    started = time.monotonic()
    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    wall = time.monotonic() - started
    return {
        "done": len(latencies),
        "errors": errors,
        **summary(latencies),
        "per_second": round(len(latencies) / wall, 1),
    }
