"""Settings, read from the environment (see the README's Configuration table).

With nothing set, the app runs on the embedded default: a SQLite file in the
project, Celery tasks run in process right after commit, email goes to the console.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.crypto import salted_hmac

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not DEBUG and (
    len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-")
):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random string of at least 50 characters when DEBUG is off. "
        'Generate one with: python -c "import secrets; print(secrets.token_urlsafe(50))"'
    )
if not SECRET_KEY:
    # DEBUG only: a fixed key is harmless on a developer's machine and keeps sessions alive.
    SECRET_KEY = "django-insecure-undersigned-development-only"  # noqa: S105

# Former keys, still accepted for signatures made with them (withdraw links already emailed,
# sessions) while SECRET_KEY is rotated.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

# Absolute base for links in emails; also the host the app answers to by default.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
_site = urlsplit(SITE_URL)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[_site.hostname or "127.0.0.1"])
if DEBUG:
    ALLOWED_HOSTS += ["localhost", "127.0.0.1", "[::1]"]
CSRF_TRUSTED_ORIGINS = env.list(
    "CSRF_TRUSTED_ORIGINS", default=[f"{_site.scheme}://{_site.netloc}"]
)

INSTALLED_APPS = [
    # Before the admin: the letter's text in each language (campaigns/translation.py).
    "modeltranslation",
    "config.apps.SiteAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "crispy_forms",
    "django_altcha",
    "crispy_bootstrap5",
    "django_countries",
    "csp",
    "campaigns",
    "signatories",
    "publication",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Public pages the same for every reader, answered from the cache before everything below
    # (sessions, users, the database): a launch's readers cost one cache round trip each.
    "config.kept_responses.KeptResponseMiddleware",
    # An ETag from the content for pages without one of their own (home, the letter list), and
    # 304 answers for them; letter pages set a cheaper ETag before rendering (publication.caching).
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # A database that is down answers 503 with a page, not a 500 (config.middleware).
    "config.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it answers a locked-out sign-in itself.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database ----------------------------------------------------------------------------------------

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer commits; IMMEDIATE takes the write lock at BEGIN,
    # so concurrent signers queue on busy_timeout instead of failing with "database is locked"
    # when a read lock cannot be upgraded.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A database that does not answer makes a request fail in seconds (a 503), not hang.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int(
        "DATABASE_CONNECT_TIMEOUT", default=3
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and background tasks --------------------------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            # Redis, with this process's memory standing in while Redis is away (config.cache).
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "undersigned",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Public pages kept whole and given to their next readers (config.kept_responses): only when
# the cache is Redis, which every process shares. In one process's memory, a change made by
# another process (a management command, a second server process) would go unseen there.
KEPT_RESPONSES = bool(REDIS_URL)

CELERY_BROKER_URL = REDIS_URL or "memory://"
# Who sends emails: Celery workers when there is a broker; otherwise a thread of the web
# process (signatories.local_sender), so the embedded default needs no other process and no
# request ever waits on an SMTP server.
EMAIL_JOBS = env.str("EMAIL_JOBS", default="celery" if REDIS_URL else "thread")
# Without a broker, tasks run in the web process when the transaction commits
# (delay_on_commit), so the embedded default needs no extra process.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Email tasks are idempotent, so a task is acknowledged only once it has run and is redelivered
# if the worker dies mid-task; one task at a time per process keeps redelivery cheap.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis redelivers an unacknowledged task after this long; it must exceed the longest retry
# countdown, or a task waiting to retry would run twice.
# A request that queues a job never waits long on the broker: one connection attempt of at most
# a second, no retries (the email waits in its row for the sweep if Redis is away; see
# signatories.outbox for how long requests then skip the broker).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 2 * 60 * 60,
    "socket_connect_timeout": 1,
    "socket_timeout": 5,
    # kombu otherwise waits two seconds and more between connection attempts while publishing;
    # the worker's own reconnection loop (broker_connection_retry) is not affected.
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "close-letters-past-their-closing-date": {
        "task": "campaigns.tasks.close_due_letters",
        "schedule": 5 * 60,
    },
    "check-counts-nightly": {
        "task": "signatories.tasks.check_counts",
        "schedule": crontab(hour=3, minute=17),
    },
    "purge-what-retention-periods-let-go": {
        "task": "signatories.tasks.purge",
        "schedule": crontab(hour=3, minute=41),
    },
    "requeue-emails-whose-job-was-lost": {
        "task": "signatories.tasks.sweep_emails",
        "schedule": 5 * 60,
    },
    "requeue-updates-whose-job-was-lost": {
        "task": "signatories.tasks.sweep_updates",
        "schedule": 60,
    },
}

# Email -------------------------------------------------------------------------------------------

# Sets EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_USE_TLS, … from one URL.
globals().update(env.email_url("EMAIL_URL", default="consolemail://"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Undersigned <noreply@localhost>")
# Where signatories can write to the organisers: the Reply-To of every email, and shown on
# letter pages, for letters that do not name a contact of their own.
CONTACT_EMAIL = env.str("CONTACT_EMAIL", default="")
# Whether email went to the console because the deploy chose it (EMAIL_URL=consolemail://)
# rather than because nobody set EMAIL_URL (the deploy check tells the two apart).
EMAIL_URL_SET = bool(env.str("EMAIL_URL", default=""))
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Signatures --------------------------------------------------------------------------------------

# Limits on the sign form, per source (signatories.limits), each "soft,hard" in
# django-ratelimit's rates (10/10m: ten per ten minutes). Over the soft rate the form asks the
# browser for a proof-of-work check; over the hard one it answers 429 and saves nothing.
# The defaults let twenty organisations sign from one conference network within an hour.
SIGN_LIMIT_ADDRESS_PER_LETTER = env.str("SIGN_LIMIT_ADDRESS_PER_LETTER", default="10/10m,30/h")
SIGN_LIMIT_NETWORK_PER_LETTER = env.str("SIGN_LIMIT_NETWORK_PER_LETTER", default="20/10m,60/h")
SIGN_LIMIT_ADDRESS = env.str("SIGN_LIMIT_ADDRESS", default="20/10m,60/h")
# Emails the sign form may send in an hour, site-wide (a launch surge stays far below it).
SIGN_EMAILS_PER_HOUR = env.int("SIGN_EMAILS_PER_HOUR", default=30_000)
# A person needs longer than this to fill the form; a faster post is a script's.
SIGN_MIN_FILL_SECONDS = env.int("SIGN_MIN_FILL_SECONDS", default=2)
RATELIMIT_USE_CACHE = "default"
# The proof-of-work challenges are signed with a key derived from SECRET_KEY.
ALTCHA_HMAC_KEY = salted_hmac("signatories.altcha", "challenge", secret=SECRET_KEY).hexdigest()
ALTCHA_JS_URL = "vendor/altcha/altcha.js"
# Emails the sign form may send to one mailbox (however it is spelled) in a day, across all
# letters: confirmation links and "already signed" notes. Beyond it nothing is saved or sent.
SIGN_EMAILS_PER_INBOX_PER_DAY = env.int("SIGN_EMAILS_PER_INBOX_PER_DAY", default=5)
# Privacy: how long what signatories give us is kept (signatories.retention, manage.py purge).
PRIVACY_SOURCE_DAYS = env.int("PRIVACY_SOURCE_DAYS", default=30)  # where a signature came from
PRIVACY_UNCONFIRMED_DAYS = env.int("PRIVACY_UNCONFIRMED_DAYS", default=30)
PRIVACY_CONTACT_MONTHS = env.int("PRIVACY_CONTACT_MONTHS", default=6)  # after a letter closes
# For the privacy notice: who is responsible for the data, and who processes it for them
# ("Name: what for" entries, separated by semicolons).
PRIVACY_CONTROLLER = env.str("PRIVACY_CONTROLLER", default="")
PRIVACY_PROCESSORS = [
    entry.strip() for entry in env.str("PRIVACY_PROCESSORS", default="").split(";") if entry.strip()
]
# How long a confirmation link works; after that, signing again sends a fresh one.
SIGNATURE_CONFIRMATION_DAYS = env.int("SIGNATURE_CONFIRMATION_DAYS", default=7)
# Email jobs retry transient SMTP failures after about BACKOFF, 2x, 4x, … seconds (with jitter),
# at most MAX_RETRIES times, never waiting more than an hour between tries.
EMAIL_RETRY_BACKOFF = env.int("EMAIL_RETRY_BACKOFF", default=30)
EMAIL_MAX_RETRIES = env.int("EMAIL_MAX_RETRIES", default=8)
# A queued email this long past its due time was lost with its job, and the sweep queues it
# again; a job holds its email this long while it sends (0: six times EMAIL_TIMEOUT, at least a
# minute). A worker killed mid-send thus delays that email by about their sum.
EMAIL_LOST_AFTER_SECONDS = env.int("EMAIL_LOST_AFTER_SECONDS", default=600)
EMAIL_LEASE_SECONDS = env.int("EMAIL_LEASE_SECONDS", default=0)
# Reverse proxies in front of the app that append to X-Forwarded-For: the client address is the
# one that many entries from the right. 0 trusts no header and uses the socket's peer address.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)

# Internationalisation ----------------------------------------------------------------------------

LANGUAGE_CODE = "en"
# The six official languages of the UN, each named in itself (the switcher shows them so).
LANGUAGES = [
    ("ar", "العربية"),
    ("zh-hans", "简体中文"),
    ("en", "English"),
    ("fr", "Français"),
    ("ru", "Русский"),
    ("es", "Español"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and numbers as each language writes them (Django's locale formats), English's adjusted.
FORMAT_MODULE_PATH = ["config.formats"]
# A letter's title, summary and body are stored once per language (title_fr, body_zh_hans…);
# a language without its own text shows the letter's authoritative one (campaigns.translation).
MODELTRANSLATION_DEFAULT_LANGUAGE = LANGUAGE_CODE
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# Static files ------------------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security ----------------------------------------------------------------------------------------
# Production protections are on whenever DEBUG is off; each can be loosened from the environment.

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
if env.bool("SECURE_PROXY_SSL_HEADER", default=True):
    # The app is meant to run behind a proxy that terminates TLS and sets this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# django-ratelimit asks for memcached or django-redis. Django's own Redis cache counts atomically
# too (INCR), and on the embedded default local memory serves its single process.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# Organisers' sign-in -----------------------------------------------------------------------------
# django-axes counts failed sign-ins per user name and address (in the database, on SQLite and
# PostgreSQL alike) and locks the pair out for a while.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("ADMIN_LOGIN_FAILURES", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("ADMIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "signatories.limits.client_ip"  # NUM_PROXIES, as everywhere
AXES_CLIENT_STR_CALLABLE = "config.logging.anonymous_client"  # no address in the log
AXES_DISABLE_ACCESS_LOG = True  # no record of every sign-in and its address
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
# Two-factor (TOTP) for organisers who set it up; for superusers, required when this is on.
ADMIN_2FA_FOR_SUPERUSERS = env.bool("ADMIN_2FA_FOR_SUPERUSERS", default=False)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Undersigned")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Logging -----------------------------------------------------------------------------------------

# Every line goes through config.logging.RedactingFormatter: no address, link token or IP.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "config.logging.RedactingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The development server logs each request's path (links carry tokens): ours, not
        # Django's own handler.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
# The worker logs through the same handler rather than Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
