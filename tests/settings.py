"""Settings for the test suite: config.settings, read from the same environment variables,
with what a test run needs on top. DATABASE_URL picks SQLite (unset) or PostgreSQL."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("SITE_URL", "http://testserver")
# Tests talk plain HTTP to the test client and the live server.
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_COOKIES", "false")

from config.settings import *  # noqa: F403
from config.settings import BASE_DIR, DATABASES, env

# Unit tests run tasks in process; the integration tests switch this off and start a worker.
CELERY_TASK_ALWAYS_EAGER = True
# Unit tests send emails in process, at once, through Celery's eager mode; the embedded default's
# background thread has tests of its own (EMAIL_JOBS=thread).
EMAIL_JOBS = "celery"
CELERY_TASK_EAGER_PROPAGATES = True
TEST_REDIS_URL = env.str("TEST_REDIS_URL", default="redis://127.0.0.1:6379/15")
CELERY_BROKER_URL = TEST_REDIS_URL
# The suite runs in one process with an in-memory cache, and tests what production does.
KEPT_RESPONSES = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file rather than SQLite's in-memory default, so that a Celery worker started by an
    # integration test opens the same database as the test.
    # TEST_SQLITE_NAME lets two runs in one checkout keep apart.
    DATABASES["default"]["TEST"] = {
        "NAME": env.str("TEST_SQLITE_NAME", default=str(BASE_DIR / ".pytest-sqlite.db"))
    }

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files from the apps' folders, as runserver does, without a collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
