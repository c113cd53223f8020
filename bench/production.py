"""What the app's processes share in every benchmark: production settings, on loopback."""

import os

SERVER = "postgresql://postgres@127.0.0.1:5432"


def environment(database: str, **settings: str) -> dict:
    """The environment of the app's processes (manage.py, gunicorn, the worker): production
    settings over a PostgreSQL database of the benchmark's own; `settings` add or replace."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"{SERVER}/{database}",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF",
        "DEBUG": "false",
        "SITE_URL": "http://127.0.0.1:8000",
        "LOG_LEVEL": "WARNING",
        **settings,
    }
