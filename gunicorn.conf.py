"""The production web server's settings: gunicorn reads this file from the directory it starts
in (`.venv/bin/gunicorn config.wsgi`). Each can be changed by an environment variable.

Measured with `make bench` (bench/README.md) on a 2-core machine.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")

# Sync workers, one per core and one more. A request spends most of its time on the CPU
# (a kept page, a cache read, one or two queries on a connection kept open), so more processes
# than cores only take turns; the one more covers the moments a worker waits on PostgreSQL or
# Redis. Measured on 2 cores (bench/README.md, surge.py): 3 sync workers served the letter page
# at 925 to 1,155 req/s and the sign form at 609; 5 sync workers 975 to 1,064 and 524; gthread
# (3 workers of 4 threads) 775 to 939 and 497, with p99s up to 190 ms. Each worker holds one
# database connection (CONN_MAX_AGE), so PostgreSQL sees as many.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
worker_class = os.environ.get("WEB_WORKER_CLASS", "sync")
threads = int(os.environ.get("WEB_THREADS", 1))  # for WEB_WORKER_CLASS=gthread

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
