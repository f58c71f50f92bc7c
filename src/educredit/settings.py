"""EduCredit settings: one module, read from the environment, SQLite when nothing is set.

Every value comes from an ``EDUCREDIT_*`` variable (or ``DATABASE_URL``); typed helpers fail
loudly on a bad value. Secrets come from the local key file (see ``educredit.keys``).
"""

from __future__ import annotations

import os
from pathlib import Path

import bootstrap_wrapper  # type: ignore[import-untyped]
import dj_database_url

from educredit.keys import load_keys

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"{name}={value!r} is not a boolean (use 1/0, true/false)")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ValueError(f"{name}={value!r} is not an integer") from exc


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


VAR_DIR = Path(env_str("EDUCREDIT_VAR_DIR", str(PROJECT_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)
KEY_FILE = Path(env_str("EDUCREDIT_KEY_FILE", str(VAR_DIR / "keys.json")))
KEYS = load_keys(KEY_FILE)

SECRET_KEY = KEYS.django_secret
DEBUG = env_bool("EDUCREDIT_DEBUG", False)
ALLOWED_HOSTS = env_list("EDUCREDIT_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("EDUCREDIT_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Before django_tasks_db: its ``db_worker`` command is core's leased one (ADR 0041).
    "educredit.core",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "educredit.accounts",
    "educredit.audit",
    "educredit.subjects",
    "educredit.editions",
    "educredit.catalog",
    "educredit.records",
    "educredit.disclosure",
    "educredit.exchange",
    "educredit.sanctions",
    "educredit.commitments",
    "educredit.integrity.cases",
    "educredit.integrity.appraisal",
    "educredit.integrity.hiring",
    "educredit.integrity.research",
    "educredit.integrity.students",
    "educredit.evaluation",
    "educredit.supervision",
    "educredit.rights",
    "educredit.web",
    "educredit.portal",
    "educredit.synth",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Everything after this reads the database as web work: short lock and statement time-outs.
    "educredit.core.db_timeouts.RequestTimeoutsMiddleware",
    "educredit.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "educredit.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before the first middleware that reads the database (the session and user are lazy up to
    # here): unstorable characters answer 400, a database that cannot answer 503 (ADR 0039).
    "educredit.core.refusals.RequestRefusalMiddleware",
    "educredit.accounts.middleware.AccessPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "educredit.urls"
WSGI_APPLICATION = "educredit.wsgi.application"

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

DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'educredit.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", DEFAULT_SQLITE), conn_max_age=env_int("EDUCREDIT_DB_CONN_AGE", 0)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a worker writes; IMMEDIATE transactions take the
    # write lock up front, so two writers queue instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# PostgreSQL time-outs per kind of work, in milliseconds (0: no limit; ADR 0039): a web
# request waits at most this long for a row lock and runs no longer statement, then answers 503
# with Retry-After; background tasks get the longer pair. Commands run by hand get neither.
EDUCREDIT_DB_LOCK_TIMEOUT_MS = env_int("EDUCREDIT_DB_LOCK_TIMEOUT_MS", 5_000)
EDUCREDIT_DB_STATEMENT_TIMEOUT_MS = env_int("EDUCREDIT_DB_STATEMENT_TIMEOUT_MS", 30_000)
EDUCREDIT_JOB_DB_LOCK_TIMEOUT_MS = env_int("EDUCREDIT_JOB_DB_LOCK_TIMEOUT_MS", 60_000)
EDUCREDIT_JOB_DB_STATEMENT_TIMEOUT_MS = env_int("EDUCREDIT_JOB_DB_STATEMENT_TIMEOUT_MS", 600_000)
if (
    min(
        EDUCREDIT_DB_LOCK_TIMEOUT_MS,
        EDUCREDIT_DB_STATEMENT_TIMEOUT_MS,
        EDUCREDIT_JOB_DB_LOCK_TIMEOUT_MS,
        EDUCREDIT_JOB_DB_STATEMENT_TIMEOUT_MS,
    )
    < 0
):
    raise ValueError("EDUCREDIT_*_TIMEOUT_MS must be 0 (no limit) or a number of milliseconds")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("EDUCREDIT_STATIC_ROOT", str(VAR_DIR / "static")))
# WhiteNoise serves from the finders; the folder must exist even before any collectstatic.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
# Bootstrap's dist files come from the bootstrap-wrapper wheel: no CDN, no node build step.
STATICFILES_DIRS = [("vendor/bootstrap", str(bootstrap_wrapper.get_bootstrap_dir()))]
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = VAR_DIR / "media"

# Uploaded spreadsheets can be large; they are streamed to disk, never held whole in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# The largest file a bulk check (ADR 0024) accepts: a million rows of CSV are about 60 MB.
EDUCREDIT_BULK_CHECK_MAX_BYTES = env_int("EDUCREDIT_BULK_CHECK_MAX_BYTES", 200 * 1024 * 1024)
# Every other uploaded spreadsheet (imports), and the XLSX zip-bomb guard (core.uploads,
# ADR 0031): members, total size once unpacked, and how well one large member may compress
# (real sheets: about 5-20 times; 200 MB of zeros: about 1 000 times).
EDUCREDIT_UPLOAD_MAX_BYTES = env_int("EDUCREDIT_UPLOAD_MAX_BYTES", 100 * 1024 * 1024)
# An attached document (a scanned letter, proofs, evidence): PDF, JPG or PNG up to this size.
EDUCREDIT_DOCUMENT_MAX_BYTES = env_int("EDUCREDIT_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
EDUCREDIT_UPLOAD_XLSX_MAX_MEMBERS = env_int("EDUCREDIT_UPLOAD_XLSX_MAX_MEMBERS", 1000)
EDUCREDIT_UPLOAD_XLSX_MAX_UNCOMPRESSED = env_int(
    "EDUCREDIT_UPLOAD_XLSX_MAX_UNCOMPRESSED", 1024 * 1024 * 1024
)
EDUCREDIT_UPLOAD_XLSX_MAX_RATIO = env_int("EDUCREDIT_UPLOAD_XLSX_MAX_RATIO", 200)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("EDUCREDIT_SESSION_SECONDS", 8 * 3600)
# A staff session ends with the browser (a shared office PC), and at the latest after the age.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# No script reads the CSRF cookie: forms and fetch() send the token from the page.
CSRF_COOKIE_HTTPONLY = True
# The expired-form page in the site's layout and the reader's language (ADR 0038).
CSRF_FAILURE_VIEW = "educredit.web.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Production (ADR 0031): the site is served only over HTTPS, behind a proxy that terminates TLS
# and says so in a header. One switch turns on everything that needs; without it (the demo on
# http://127.0.0.1, tests) nothing redirects and cookies travel over plain HTTP.
EDUCREDIT_HTTPS = env_bool("EDUCREDIT_HTTPS", False)
SESSION_COOKIE_SECURE = EDUCREDIT_HTTPS or env_bool("EDUCREDIT_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if EDUCREDIT_HTTPS:
    SECURE_SSL_REDIRECT = True
    # The request header the proxy sets to "https" (empty: TLS ends at the app server itself).
    # Only trustworthy when the proxy overwrites it, so it is the operator's to name.
    _proxy_header = env_str("EDUCREDIT_PROXY_SSL_HEADER", "X-Forwarded-Proto").strip()
    if _proxy_header:
        SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https")
    # A year, the usual value once HTTPS works everywhere; includes subdomains of the host.
    SECURE_HSTS_SECONDS = env_int("EDUCREDIT_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("EDUCREDIT_HSTS_PRELOAD", False)
    # "__Host-" cookies are refused by browsers unless Secure, host-only and path "/".
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    if not SECURE_HSTS_PRELOAD:
        # Entering the browsers' preload list binds the whole registered domain
        # (henan.gov.cn): the domain's owner decides that, not this application.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Django's cache holds the API's rate-limit counters (ADR 0043). Production sets
# EDUCREDIT_CACHE_URL=redis://127.0.0.1:6379/0: one count for every process and machine. Unset
# (the embedded default: demo, tests) it is local memory, and each process counts on its own.
EDUCREDIT_CACHE_URL = env_str("EDUCREDIT_CACHE_URL", "").strip()
if EDUCREDIT_CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": EDUCREDIT_CACHE_URL,
            "KEY_PREFIX": "educredit",
            # A Redis that does not answer fails the request closed (503), quickly.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
elif EDUCREDIT_CACHE_URL:
    raise ValueError(
        f"EDUCREDIT_CACHE_URL={EDUCREDIT_CACHE_URL!r} is not a Redis URL (redis://host:port/db)"
    )
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background work: the database backend needs no extra service; tests run tasks immediately.
TASKS = {
    "default": {
        "BACKEND": env_str("EDUCREDIT_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("EDUCREDIT_LOG_LEVEL", "WARNING")},
}

# Field-level crypto and the audit log read their keys from here.
EDUCREDIT_FIELD_KEYS = KEYS.field_keys
EDUCREDIT_FIELD_KEY_CURRENT = KEYS.field_key_current
EDUCREDIT_BLIND_INDEX_KEY = KEYS.blind_index_key
EDUCREDIT_AUDIT_SIGNING_KEY = KEYS.audit_signing_key
EDUCREDIT_AUDIT_ORIGIN = env_str("EDUCREDIT_AUDIT_ORIGIN", "educredit.jyt.henan.gov.cn/audit")
# The maximum merge delay a signed entry timestamp promises (ADR 0044), and how many queued
# entries one sequencer transaction integrates at most.
EDUCREDIT_AUDIT_MMD_SECONDS = float(env_str("EDUCREDIT_AUDIT_MMD_SECONDS", "2"))
EDUCREDIT_AUDIT_SEQUENCE_BATCH = env_int("EDUCREDIT_AUDIT_SEQUENCE_BATCH", 20_000)

# Accounts: TOTP second factor for every staff role (ADR 0031; tests may switch it off),
# sign-in throttling (failures in a sliding window, per username and per client address).
EDUCREDIT_REQUIRE_TOTP = env_bool("EDUCREDIT_REQUIRE_TOTP", True)
EDUCREDIT_LOGIN_WINDOW_SECONDS = env_int("EDUCREDIT_LOGIN_WINDOW_SECONDS", 15 * 60)
EDUCREDIT_LOGIN_MAX_FAILURES_PER_USERNAME = env_int("EDUCREDIT_LOGIN_MAX_FAILURES_PER_USERNAME", 5)
# Higher per address: a whole bureau often sits behind one intranet NAT address.
EDUCREDIT_LOGIN_MAX_FAILURES_PER_IP = env_int("EDUCREDIT_LOGIN_MAX_FAILURES_PER_IP", 20)

# Worker processes a large 双公示 import forks to validate rows and encode chunks (files of more
# than 1 000 rows; the processes never touch the database).
EDUCREDIT_IMPORT_WORKERS = env_int("EDUCREDIT_IMPORT_WORKERS", os.cpu_count() or 1)

# Background tasks run under a lease the worker renews (ADR 0041): a task whose worker died is
# handed to another worker once its lease has lapsed, and given up — failed, with the reason on
# the run's page and the administrators' to-do list — after this many attempts.
EDUCREDIT_JOB_LEASE_SECONDS = env_int("EDUCREDIT_JOB_LEASE_SECONDS", 60)
EDUCREDIT_JOB_MAX_ATTEMPTS = env_int("EDUCREDIT_JOB_MAX_ATTEMPTS", 3)

# The provincial platform (信用河南): how the outbox worker reaches it. "http" posts JSON
# batches to EDUCREDIT_EXCHANGE_URL (the simulator: `educredit simulator --port 8765`, then
# http://127.0.0.1:8765/api/v1/batches); "file" drops CSV batches into a directory
# (front-end-database style exchange). The lease must outlast the timeout.
EDUCREDIT_EXCHANGE_TRANSPORT = env_str("EDUCREDIT_EXCHANGE_TRANSPORT", "http")
EDUCREDIT_EXCHANGE_URL = env_str("EDUCREDIT_EXCHANGE_URL", "")
# Where the platform serves its grades and other departments' lists (the simulator: /api/v1).
EDUCREDIT_EXCHANGE_INBOUND_URL = env_str("EDUCREDIT_EXCHANGE_INBOUND_URL", "")
EDUCREDIT_EXCHANGE_DROP_DIR = env_str("EDUCREDIT_EXCHANGE_DROP_DIR", str(VAR_DIR / "exchange-drop"))
EDUCREDIT_EXCHANGE_TIMEOUT = env_int("EDUCREDIT_EXCHANGE_TIMEOUT", 10)
EDUCREDIT_EXCHANGE_BATCH_SIZE = env_int("EDUCREDIT_EXCHANGE_BATCH_SIZE", 100)
EDUCREDIT_EXCHANGE_LEASE_SECONDS = env_int("EDUCREDIT_EXCHANGE_LEASE_SECONDS", 300)
EDUCREDIT_EXCHANGE_BACKOFF_BASE_SECONDS = env_int("EDUCREDIT_EXCHANGE_BACKOFF_BASE_SECONDS", 60)
EDUCREDIT_EXCHANGE_BACKOFF_MAX_SECONDS = env_int("EDUCREDIT_EXCHANGE_BACKOFF_MAX_SECONDS", 3600)

# A screening hit without the business system's feedback after this many working days is
# overdue and shows on its owner organisation's to-do list (ADR 0023).
EDUCREDIT_FEEDBACK_WORKING_DAYS = env_int("EDUCREDIT_FEEDBACK_WORKING_DAYS", 5)

# Red-list candidates (records.red_candidates): an honour at provincial or national level
# (JY-BZ-01) decided within this many years makes a subject a candidate. [U] No published
# criterion found (Henan §27 leaves the criteria to the province): a provisional figure for the
# provincial office to confirm.
EDUCREDIT_RED_LIST_HONOUR_YEARS = env_int("EDUCREDIT_RED_LIST_HONOUR_YEARS", 3)

# Subjects' rights (issue 6).
# A view or export revealing non-public information about more subjects than this needs a
# second person's approval (ADR 0029); a reader who reads more distinct subjects than
# EDUCREDIT_QUERY_ALERT_VOLUME in an hour raises an alert for the provincial office.
EDUCREDIT_BULK_ACCESS_THRESHOLD = env_int("EDUCREDIT_BULK_ACCESS_THRESHOLD", 500)
EDUCREDIT_QUERY_ALERT_VOLUME = env_int("EDUCREDIT_QUERY_ALERT_VOLUME", 200)
# Repeated offences bar repair (ADR 0028): this many other effective records of the same
# catalog item within this many months. A provisional figure for the provincial office to set.
EDUCREDIT_REPAIR_REPEAT_LIMIT = env_int("EDUCREDIT_REPAIR_REPEAT_LIMIT", 2)
EDUCREDIT_REPAIR_REPEAT_MONTHS = env_int("EDUCREDIT_REPAIR_REPEAT_MONTHS", 36)
# The public address printed in credit reports' QR codes when a report is issued outside a
# request (ADR 0030); within a request the request's own address is used.
EDUCREDIT_PUBLIC_URL = env_str("EDUCREDIT_PUBLIC_URL", "http://127.0.0.1:8000")

# Hiring checks (入职查询): the day (month-day) by which a school's yearly re-check of its
# current staff (未成年人保护法) should be complete; afterwards the school's to-do list shows
# the staff still due. A local choice, not a statutory date: for the provincial office to set.
EDUCREDIT_HIRING_RECHECK_DUE = env_str("EDUCREDIT_HIRING_RECHECK_DUE", "09-30")
