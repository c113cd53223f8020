"""The app's settings with one URL, a view that does nothing: the ceiling the benchmark's
pages are compared with (bench/surge.py), served by the same gunicorn configuration through
the same middleware."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.noop.urls"
