"""Django settings, read from the environment (twelve-factor) with defaults for the embedded setup."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

from chatarchief.web.hardening import (
    DEV_SECRET_KEY,
    make_private_dir,
    make_private_file,
    parse_trusted_proxies,
    refuse_unsafe_production_settings,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("CHATARCHIEF_DATA_DIR", "./data")).resolve()
make_private_dir(DATA_DIR)  # 0700: the embedded database, the blob store, the development key file

DEBUG = os.environ.get("CHATARCHIEF_DEBUG", "0") == "1"
PRODUCTION = os.environ.get("CHATARCHIEF_ENV", "development") == "production"
SECRET_KEY = (
    os.environ.get("DJANGO_SECRET_KEY", "") if PRODUCTION else os.environ.get("DJANGO_SECRET_KEY", DEV_SECRET_KEY)
)
if PRODUCTION:
    refuse_unsafe_production_settings(SECRET_KEY, DEBUG)
ALLOWED_HOSTS = os.environ.get("CHATARCHIEF_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "chatarchief.audit",
    "chatarchief.access",
    "chatarchief.archive",
    "chatarchief.compliance",
    "chatarchief.intake",
    "chatarchief.api",
    "chatarchief.search",
    "chatarchief.review",
    "chatarchief.preservation",
    "chatarchief.woo",
    "chatarchief.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "chatarchief.web.security.RevealBidiOverridesMiddleware",
    "chatarchief.web.security.PrivateNoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Who may send a body is decided before anything reads one (process_view runs in this order):
    # anonymous -> login page, password only -> TOTP page, too large -> 413, then CSRF reads the form.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "chatarchief.web.security.SecondFactorMiddleware",
    "chatarchief.web.security.RequestBodyLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # keep last: turns a lock-out into the lock-out page
]

ROOT_URLCONF = "chatarchief.web.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "chatarchief.web.admin_views.navigation",
            ]
        },
    }
]
WSGI_APPLICATION = "chatarchief.web.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}"), conn_max_age=0
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    if not str(DATABASES["default"]["NAME"]).startswith((":", "file:")):
        make_private_file(Path(DATABASES["default"]["NAME"]))  # 0600 before SQLite creates it (and its -wal, -shm)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR.parent / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("CHATARCHIEF_TIME_ZONE", "Europe/Amsterdam")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("CHATARCHIEF_STATIC_ROOT") or DATA_DIR / "static")  # served by the web server
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

BLOB_ROOT = Path(os.environ.get("CHATARCHIEF_BLOB_ROOT", DATA_DIR / "blobs"))
BLOB_BACKEND = os.environ.get("CHATARCHIEF_BLOB_BACKEND", "filesystem")  # or "s3"
# Encryption at rest of the blob store (see archive/services/blob_keys.py).
BLOB_KEY_PROVIDER = os.environ.get("CHATARCHIEF_KEY_PROVIDER", "local")  # local, aws-kms, module:factory
BLOB_MASTER_KEY = os.environ.get("CHATARCHIEF_MASTER_KEY", "")  # base64 of 32 bytes
BLOB_PREVIOUS_MASTER_KEYS = [k for k in os.environ.get("CHATARCHIEF_PREVIOUS_MASTER_KEYS", "").split(",") if k.strip()]
BLOB_KEY_FILE = Path(os.environ.get("CHATARCHIEF_MASTER_KEY_FILE", DATA_DIR / "master.key"))  # development only
BLOB_KMS_KEY_ID = os.environ.get("CHATARCHIEF_KMS_KEY_ID", "")
if PRODUCTION and BLOB_KEY_PROVIDER == "local" and not BLOB_MASTER_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("CHATARCHIEF_MASTER_KEY is required in production (base64 of 32 random bytes).")
UPLOAD_DIR = DATA_DIR / "uploads"
# Django writes uploads over FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file while the request runs:
# plaintext, so inside the private data directory (on its encrypted volume), not in the system /tmp.
FILE_UPLOAD_TEMP_DIR = str(DATA_DIR / "tmp")
make_private_dir(Path(FILE_UPLOAD_TEMP_DIR))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The largest upload (all files of one web upload or API delivery together), refused before it is
# read (web/security.py RequestBodyLimitMiddleware); CHATARCHIEF_MAX_UPLOAD_SIZE is its older name.
MAX_UPLOAD_SIZE = int(
    os.environ.get("CHATARCHIEF_MAX_UPLOAD_BYTES") or os.environ.get("CHATARCHIEF_MAX_UPLOAD_SIZE") or 8 * 1024**3
)
MAX_FORM_BODY_SIZE = 1024 * 1024  # every other request body (login, forms, anonymous requests)
CADENCE_DAYS = int(os.environ.get("CHATARCHIEF_CADENCE_DAYS", "31"))

# --- authentication and session (see access/authn.py, access/otp.py, web/security.py) -------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # older hashes are upgraded to Argon2 at login
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out logins before any password check
    "django.contrib.auth.backends.ModelBackend",
]
OTP_TOTP_ISSUER = os.environ.get("CHATARCHIEF_OTP_ISSUER", "Chatarchief")
OTP_TOTP_THROTTLE_FACTOR = 1  # django-otp: delay doubles after each wrong code
REAUTH_SECONDS = int(os.environ.get("CHATARCHIEF_REAUTH_SECONDS", "300"))  # destructive actions: password + TOTP again

AXES_FAILURE_LIMIT = int(os.environ.get("CHATARCHIEF_LOGIN_FAILURE_LIMIT", "5"))  # wrong passwords and wrong codes
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("CHATARCHIEF_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "chatarchief.web.auth_views.locked_out"
AXES_VERBOSE = False
# The client's address (lock-outs, rate limits, audit) is REMOTE_ADDR, unless REMOTE_ADDR is one of the
# trusted reverse proxies: then it is the nearest untrusted address in CLIENT_ADDRESS_HEADER.
TRUSTED_PROXIES = parse_trusted_proxies(os.environ.get("CHATARCHIEF_TRUSTED_PROXIES", ""))
CLIENT_ADDRESS_HEADER = os.environ.get("CHATARCHIEF_CLIENT_ADDRESS_HEADER", "X-Forwarded-For")
AXES_CLIENT_IP_CALLABLE = "chatarchief.access.authn.client_address"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("CHATARCHIEF_SESSION_IDLE_MINUTES", "30")) * 60  # idle timeout
SESSION_SAVE_EVERY_REQUEST = True  # every request moves the idle deadline
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_SECONDS = int(os.environ.get("CHATARCHIEF_SESSION_MAX_HOURS", "10")) * 3600
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-chatarchief_session"  # __Host-: Secure, whole site, no Domain
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    if os.environ.get("CHATARCHIEF_BEHIND_TLS_PROXY", "0") == "1":
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Background ingest (docs/operations.md): django-tasks with its database backend; a worker
# (`chatarchief worker`) runs the queue. "immediate" runs each task inside the request that queued it
# (no worker needed; the test suite's default, see tests/conftest.py).
TASKS_MODE = os.environ.get("CHATARCHIEF_TASKS", "database")
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if TASKS_MODE == "database"
        else "django_tasks.backends.immediate.ImmediateBackend"
    }
}
# A delivery `running` on another host longer than this is taken as orphaned (its worker died).
INGEST_LEASE_SECONDS = int(os.environ.get("CHATARCHIEF_INGEST_LEASE_SECONDS", str(6 * 3600)))
# `chatarchief gc` leaves blobs younger than this alone (an ingest may be about to reference them).
GC_GRACE_SECONDS = int(os.environ.get("CHATARCHIEF_GC_GRACE_SECONDS", str(24 * 3600)))
# /metrics: open on loopback; from elsewhere only with this bearer token (none: refused).
METRICS_TOKEN = os.environ.get("CHATARCHIEF_METRICS_TOKEN", "")
# Jobs the worker runs on a schedule (daily, at a local time): name -> {"task": dotted path of a
# django-tasks task, "at": "HH:MM"}. Each job is safe to run twice; apps add their own entry.
PERIODIC_TASKS: dict[str, dict[str, str]] = {}
PERIODIC_TASKS["fixity"] = {"task": "chatarchief.preservation.tasks.verify_fixity", "at": "02:30"}
PERIODIC_TASKS["disposition"] = {"task": "chatarchief.preservation.tasks.propose_disposition", "at": "03:30"}

# --- the audit log's anchor (issue 19): an append-only, Ed25519-signed log of the chain's head outside
# the database; its signing key also outside the database (created 0600 on first use).
AUDIT_ANCHOR_LOG = Path(os.environ.get("CHATARCHIEF_AUDIT_ANCHOR_LOG", DATA_DIR / "audit-anchor.log"))
AUDIT_ANCHOR_KEY_FILE = Path(os.environ.get("CHATARCHIEF_AUDIT_ANCHOR_KEY_FILE", DATA_DIR / "audit-anchor.key"))
PERIODIC_TASKS["compliance.evaluate_reminders"] = {
    "task": "chatarchief.compliance.tasks.evaluate_reminders",
    "at": "07:00",
}

# Compliance (docs/compliance.md): reminders by e-mail (the console by default; in production SMTP with
# CHATARCHIEF_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and Django's EMAIL_* settings),
# Doc-Direkt's mailbox, and the key that signs receipt PDFs (a file with the Ed25519 private key).
EMAIL_BACKEND = os.environ.get("CHATARCHIEF_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("CHATARCHIEF_EMAIL_FILE_PATH", str(DATA_DIR / "mail"))  # for the file backend
DEFAULT_FROM_EMAIL = os.environ.get("CHATARCHIEF_MAIL_FROM", "chatarchief@localhost")
COMPLIANCE_DOC_DIREKT_EMAIL = os.environ.get("CHATARCHIEF_DOC_DIREKT_EMAIL", "")
COMPLIANCE_REMINDER_DAYS_BEFORE = (
    int(os.environ["CHATARCHIEF_REMINDER_DAYS_BEFORE"]) if os.environ.get("CHATARCHIEF_REMINDER_DAYS_BEFORE") else None
)
RECEIPT_SIGNING_KEY_FILE = os.environ.get("CHATARCHIEF_RECEIPT_SIGNING_KEY_FILE", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # CHATARCHIEF_LOG_FORMAT=json: one JSON object a line (web/logs.py), for a log collector
    "formatters": {"json": {"()": "chatarchief.web.logs.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"}
        | ({"formatter": "json"} if os.environ.get("CHATARCHIEF_LOG_FORMAT") == "json" else {})
    },
    "root": {"handlers": ["console"], "level": os.environ.get("CHATARCHIEF_LOG_LEVEL", "WARNING")},
}

# --- caches (rate limits): shared between processes in production --------------------------------
_CACHE_URL = os.environ.get("CHATARCHIEF_CACHE_URL", "")
_REDIS = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _CACHE_URL}
CACHES = {
    "default": _REDIS
    if _CACHE_URL.startswith(("redis://", "rediss://"))
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "chatarchief"},
    # the conversation calendars (archive.services.timeline): built once per change of a conversation,
    # by the ingest that changed it, and shared by every web process and worker (Redis, else a table
    # in the archive's own database, created by archive migration 0006)
    "calendars": {**_REDIS, "TIMEOUT": 30 * 86400}
    if _CACHE_URL.startswith(("redis://", "rediss://"))
    else {
        "BACKEND": "chatarchief.archive.services.table_cache.TableCache",  # Django's, without a COUNT per write
        "LOCATION": "chatarchief_calendar_cache",
        "TIMEOUT": 30 * 86400,
        "OPTIONS": {"MAX_ENTRIES": 200_000, "CULL_FREQUENCY": 10},
    },
}

# --- Content Security Policy (django-csp 4): no inline script or style, no framing ----------------
_OIDC_ORIGIN = ""
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# --- OpenID Connect single sign-on (mozilla-django-oidc), off by default --------------------------
# CHATARCHIEF_OIDC_ENABLED=1 plus CHATARCHIEF_OIDC_CLIENT_ID, _CLIENT_SECRET, _AUTHORIZATION_ENDPOINT,
# _TOKEN_ENDPOINT, _USER_ENDPOINT, _JWKS_ENDPOINT (optional: _ISSUER, _SIGN_ALGO, _SCOPES,
# _LOGOUT_ENDPOINT, _ROLES_CLAIM, _ROLE_PREFIX, _ROLE_MAP as JSON). SSO users skip the local TOTP:
# the identity provider must enforce MFA. Roles come from the claims (access/oidc.py).
OIDC_ENABLED = os.environ.get("CHATARCHIEF_OIDC_ENABLED", "0") == "1"
OIDC_ROLES_CLAIM = os.environ.get("CHATARCHIEF_OIDC_ROLES_CLAIM", "roles")
OIDC_ROLE_PREFIX = os.environ.get("CHATARCHIEF_OIDC_ROLE_PREFIX", "chatarchief")
OIDC_ROLE_MAP = json.loads(os.environ.get("CHATARCHIEF_OIDC_ROLE_MAP", "{}") or "{}")
if OIDC_ENABLED:
    OIDC_RP_CLIENT_ID = os.environ["CHATARCHIEF_OIDC_CLIENT_ID"]
    OIDC_RP_CLIENT_SECRET = os.environ["CHATARCHIEF_OIDC_CLIENT_SECRET"]
    OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ["CHATARCHIEF_OIDC_AUTHORIZATION_ENDPOINT"]
    OIDC_OP_TOKEN_ENDPOINT = os.environ["CHATARCHIEF_OIDC_TOKEN_ENDPOINT"]
    OIDC_OP_USER_ENDPOINT = os.environ["CHATARCHIEF_OIDC_USER_ENDPOINT"]
    OIDC_OP_JWKS_ENDPOINT = os.environ.get("CHATARCHIEF_OIDC_JWKS_ENDPOINT")
    OIDC_OP_LOGOUT_ENDPOINT = os.environ.get("CHATARCHIEF_OIDC_LOGOUT_ENDPOINT", "")
    OIDC_RP_SIGN_ALGO = os.environ.get("CHATARCHIEF_OIDC_SIGN_ALGO", "RS256")
    OIDC_RP_SCOPES = os.environ.get("CHATARCHIEF_OIDC_SCOPES", "openid email profile")
    OIDC_USE_PKCE = True
    OIDC_ISSUER = os.environ.get("CHATARCHIEF_OIDC_ISSUER") or OIDC_OP_AUTHORIZATION_ENDPOINT.split("/protocol/")[0]
    OIDC_AUTHENTICATE_CLASS = "chatarchief.access.oidc.AuthenticationRequestView"
    LOGIN_REDIRECT_URL_FAILURE = "/login/"
    AUTHENTICATION_BACKENDS.append("chatarchief.access.oidc.OIDCBackend")
    _OIDC_ORIGIN = "/".join(OIDC_OP_AUTHORIZATION_ENDPOINT.split("/")[:3])
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(_OIDC_ORIGIN)
