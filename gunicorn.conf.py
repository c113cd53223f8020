"""The production web server's settings: gunicorn reads this file from the directory it starts
in (`.venv/bin/gunicorn config.wsgi`). Each can be changed by an environment variable.

Measured with `make bench` (bench/README.md) on a 2-core machine.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")

# Sync workers, two per core and one more: a request spends most of its time on the CPU
# (rendering, a cache read, one or two queries on a connection kept open), so more processes
# than cores only queue; the one more covers the moments a worker waits on PostgreSQL or
# Redis. Each worker holds one database connection (CONN_MAX_AGE), so PostgreSQL sees as many.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"

# Load the app once, before forking: workers start in milliseconds and share its memory.
preload_app = True

# A request that takes longer is killed and answered 502; the PDF of the longest letters is
# the slowest page (bench/letter_pdf.py: 5 s for 1,000 names).
timeout = int(os.environ.get("WEB_TIMEOUT", 30))
graceful_timeout = 30
# A worker is replaced after this many requests (with some spread, so not all at once): a
# slow leak in a library never grows for ever.
max_requests = 20_000
max_requests_jitter = 2_000

# No access log: its lines would carry every address as requested, confirm and withdraw
# tokens and invite keys included, which the app's own log masks (config/logging.py). The
# proxy in front keeps its own, with whatever it is told to drop.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("WEB_LOG_LEVEL", "info")
