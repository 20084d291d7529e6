"""Settings shared by every environment. Every value that varies comes from the environment."""

import hashlib
import os
from pathlib import Path
from typing import Any

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from sightline.accounts import sso_config as _sso_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("SIGHTLINE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Core ------------------------------------------------------------------
DEBUG = env_bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
SIGHTLINE_PARTNERSHIP_NAME = os.environ.get(
    "SIGHTLINE_PARTNERSHIP_NAME", "Northshire Safeguarding Partnership"
)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "sightline.core",
    "sightline.accounts",
    "sightline.reviews",
    "sightline.learning",
    "sightline.assurance",
    "sightline.training",
    "sightline.reports",
    "sightline.hub",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "sightline.core.middleware.PermissionsPolicyMiddleware",
    "sightline.core.middleware.NoStoreMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sightline.core.middleware.RequestContextMiddleware",
    "sightline.accounts.middleware.SessionLifetimeMiddleware",
    "sightline.accounts.mfa.middleware.SecondFactorMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "sightline.core.middleware.DefaultDenyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "config.jinja2.environment",
            "context_processors": ["sightline.core.context_processors.layout"],
        },
    },
]

# --- Database ----------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'sightline.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One writer at a time: wait for the lock rather than fail, and take it up front.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation pays off for long analytical queries, not for the short ones a page
    # runs: on a row estimate in the hundreds of thousands PostgreSQL compiles anyway and
    # adds 100-200 ms to a query that takes 20. Reports are precomputed or grouped on keys,
    # so the application's connections turn it off (docs/operations.md, "PostgreSQL").
    # DATABASE_PG_OPTIONS adds settings of the site's own, such as work_mem.
    _pg_options = " ".join(("-c jit=off", os.environ.get("DATABASE_PG_OPTIONS", ""))).strip()
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = _pg_options
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Some indexes carry INCLUDE columns so that PostgreSQL, the production database, answers a
# hot count from the index alone; SQLite builds them without those columns, as intended.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# --- Cache -------------------------------------------------------------------
# Only partnership-wide figures are cached (the timeliness and learning reports), each under
# a version of its inputs kept in the database, so a cached figure is never stale. Files
# under the var folder are shared by every gunicorn worker and the worker process on this
# server, so a report is counted once per change, not once per process; another server
# counts its own (docs/operations.md, "Cached figures").
CACHES = {
    "default": {
        "BACKEND": "sightline.core.cache.FileCache",
        "LOCATION": VAR_DIR / "cache",
        "OPTIONS": {"MAX_ENTRIES": 1000},
        # Two databases (the service's and a copy, say) never share a cached figure.
        "KEY_PREFIX": hashlib.sha256(
            f"{DATABASES['default']['HOST']}/{DATABASES['default']['NAME']}".encode()
        ).hexdigest()[:12],
    }
}

# --- Accounts and sessions ---------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Permissions come only from the policies (rules); the password backend grants none.
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "sightline.accounts.backends.PasswordBackend",
]
# How many reverse proxies in front of Sightline append to X-Forwarded-For (0: none, and the
# client's address is the connection's). Used for the address in the audit trail.
SIGHTLINE_TRUSTED_PROXIES = int(os.environ.get("SIGHTLINE_TRUSTED_PROXIES", "0"))
LOGIN_URL = "accounts:sign_in"
# Single sign-on providers (OpenID Connect), each from its SIGHTLINE_OIDC_<KEY>_* variables:
# see sightline/accounts/sso_config.py and docs/operations.md. Their secrets stay here.
SIGHTLINE_OIDC_PROVIDERS = _sso_config.providers_from_environ(os.environ)
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:sign_in"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name", "job_title")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # zxcvbn, offline, with the partnership's, agencies' and person's words (docs/operations.md).
    {"NAME": "sightline.accounts.validators.StrengthValidator", "OPTIONS": {"min_score": 4}},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Idle expiry: a session lives 30 minutes from its last renewal in the store. A request renews
# it when the last renewal is a minute old or more (SessionLifetimeMiddleware), not on every
# request: writing the session back on each page was three statements and a commit, a tenth
# of a light page's time. So an idle session ends between 29 and 30 minutes after its last
# request.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False
SIGHTLINE_SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Absolute expiry, however active the session has been.
SIGHTLINE_SESSION_MAX_AGE = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "sightline.core.views.csrf_failure"
# Accounts not signed in to for this many days are suspended by a daily schedule.
SIGHTLINE_INACTIVE_DAYS = int(os.environ.get("SIGHTLINE_INACTIVE_DAYS", "90"))
# Access reviews open on the first day of these months (every six months by default), are
# due this many days later, and their agency leads are reminded this often until done.
SIGHTLINE_ACCESS_REVIEW_MONTHS = [
    int(month) for month in env_list("SIGHTLINE_ACCESS_REVIEW_MONTHS", "4,10")
]
SIGHTLINE_ACCESS_REVIEW_DUE_DAYS = 30
SIGHTLINE_ACCESS_REVIEW_REMINDER_DAYS = 7
# Sign-in throttling (docs/operations.md, "Sign-in limits"): failed sign-ins counted per
# client address, per account and address, and per account, as (attempts, minutes). Nothing
# locks an account: a browser the person has signed in from before (a "known device" cookie,
# kept for SIGHTLINE_KNOWN_DEVICE_DAYS) is held only to its own count.
SIGHTLINE_SIGN_IN_LIMIT_PER_CLIENT = (30, 15)
SIGHTLINE_SIGN_IN_LIMIT_PER_ACCOUNT_AND_CLIENT = (5, 15)
SIGHTLINE_SIGN_IN_LIMIT_PER_ACCOUNT = (20, 60)
SIGHTLINE_SIGN_IN_LIMIT_PER_DEVICE = (5, 15)
SIGHTLINE_KNOWN_DEVICE_DAYS = 90
# Password reset and training registration emails: per email address and per client address.
SIGHTLINE_EMAIL_LIMIT_PER_RECIPIENT = (3, 60)
SIGHTLINE_EMAIL_LIMIT_PER_CLIENT = (10, 60)

# --- Security headers ----------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- Internationalisation ------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files --------------------------------------------------------------
STATIC_URL = "/assets/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "assets"]
# Uploaded files (case files waiting for confirmation) are kept here, never served.
MEDIA_ROOT = VAR_DIR / "uploads"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024


# --- Background work -----------------------------------------------------------
# Jobs wait in the database and ``sightline worker`` runs them: no broker to install. The
# job rows are not the durable record of what must happen: the outbox and the schedule
# runs are (core.models), so a job lost with a killed worker is made again.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Lets monitoring read the queue's depth and ages at /health/queue/ (unset: nobody can).
SIGHTLINE_MONITORING_TOKEN = os.environ.get("SIGHTLINE_MONITORING_TOKEN", "")
# How long a worker holds the emails it has taken before another worker may take them.
SIGHTLINE_OUTBOX_LEASE_SECONDS = int(os.environ.get("SIGHTLINE_OUTBOX_LEASE_SECONDS", "300"))


# --- Email -------------------------------------------------------------------
def _parse_email_url(url: str) -> dict[str, Any]:
    parsed = dj_email_url.parse(url)
    if "EMAIL_BACKEND" not in parsed:
        raise ImproperlyConfigured(
            f"EMAIL_URL {url.split(':', 1)[0]!r} is not a scheme Sightline knows. "
            "Use, for example, smtp://user:password@host:587?tls=true, "
            "submission://user:password@host:587, smtp://user:password@host:465?ssl=true "
            "or console: (see docs/operations.md)."
        )
    return parsed


_email = _parse_email_url(os.environ.get("EMAIL_URL") or "console:")
_smtp_options = {
    "host": _email["EMAIL_HOST"],
    "port": _email["EMAIL_PORT"],
    "username": _email["EMAIL_HOST_USER"],
    "password": _email["EMAIL_HOST_PASSWORD"],
    "use_tls": _email["EMAIL_USE_TLS"],
    "use_ssl": _email["EMAIL_USE_SSL"],
    "timeout": 30,
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": _smtp_options if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "sightline@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SIGHTLINE_BASE_URL = os.environ.get("SIGHTLINE_BASE_URL", "http://127.0.0.1:8000")

# --- Logging -----------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.security": {"level": "WARNING"},
        # WeasyPrint reports every page it lays out; only its problems are worth keeping.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # The job runner says so each time it looks for jobs; Sightline's worker logs its work.
        "django_tasks_db": {"level": "WARNING"},
        "django.tasks": {"level": "WARNING"},
    },
}

# --- Templates: a missing name fails in tests and development, logs in production -----
SIGHTLINE_STRICT_TEMPLATES = env_bool("SIGHTLINE_STRICT_TEMPLATES", default=False)

# --- chain: the audit trail's hash chain is anchored outside the database every morning ---
# (docs/operations.md, "The audit trail's integrity"): emailed to the information governance
# lead, and appended to a file on storage the database's administrators cannot rewrite.
SIGHTLINE_AUDIT_ANCHOR_EMAIL = os.environ.get("SIGHTLINE_AUDIT_ANCHOR_EMAIL", "").strip()
SIGHTLINE_AUDIT_ANCHOR_FILE = os.environ.get("SIGHTLINE_AUDIT_ANCHOR_FILE", "").strip()
# --- backup: encrypted backups and the restore drill (docs/operations.md) ----------------
# The key is read from SIGHTLINE_BACKUP_KEY when a backup is made or read, never kept here.
# Where `sightline backup` writes; when set, the worker also makes one every night.
SIGHTLINE_BACKUP_DIR = os.environ.get("SIGHTLINE_BACKUP_DIR", "")
# How many of the newest backups are kept in that folder.
try:
    SIGHTLINE_BACKUP_KEEP = int(os.environ.get("SIGHTLINE_BACKUP_KEEP") or "14")
except ValueError as _error:
    raise ImproperlyConfigured("SIGHTLINE_BACKUP_KEEP must be a whole number, such as 14.") from (
        _error
    )
# PostgreSQL's client programs (pg_dump, pg_restore, createdb, dropdb); unset: the PATH,
# then the newest under /usr/lib/postgresql.
SIGHTLINE_PG_BIN_DIR = os.environ.get("SIGHTLINE_PG_BIN_DIR", "")
# --- bounds: limits on uploads and imports (docs/operations.md, "Limits on uploads and imports")
# Checked while a spreadsheet is read (sightline/core/bounded.py), so a hostile file is refused
# before anything big is held in memory. The row limit is set by memory: 20,000 rows of the
# widest import stay well under 300 MB at peak.


def env_int(name: str, default: int, minimum: int = 1) -> int:
    value = os.environ.get(name, "")
    if value == "":
        return default
    if not value.isdigit() or int(value) < minimum:
        raise ImproperlyConfigured(
            f"{name} must be a whole number of at least {minimum}, not {value!r}."
        )
    return int(value)


SIGHTLINE_IMPORT_MAX_UPLOAD_BYTES = env_int("SIGHTLINE_IMPORT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
SIGHTLINE_IMPORT_MAX_UNPACKED_BYTES = env_int(
    "SIGHTLINE_IMPORT_MAX_UNPACKED_BYTES", 50 * 1024 * 1024
)
SIGHTLINE_IMPORT_MAX_MEMBERS = env_int("SIGHTLINE_IMPORT_MAX_MEMBERS", 1000)
SIGHTLINE_IMPORT_MAX_RATIO = env_int("SIGHTLINE_IMPORT_MAX_RATIO", 250)
SIGHTLINE_IMPORT_MAX_SHARED_STRINGS_BYTES = env_int(
    "SIGHTLINE_IMPORT_MAX_SHARED_STRINGS_BYTES", 10 * 1024 * 1024
)
SIGHTLINE_IMPORT_MAX_PART_BYTES = env_int("SIGHTLINE_IMPORT_MAX_PART_BYTES", 10 * 1024 * 1024)
SIGHTLINE_IMPORT_MAX_ROWS = env_int("SIGHTLINE_IMPORT_MAX_ROWS", 20_000)
SIGHTLINE_IMPORT_MAX_COLUMNS = env_int("SIGHTLINE_IMPORT_MAX_COLUMNS", 100)
SIGHTLINE_IMPORT_MAX_CELL_CHARS = env_int("SIGHTLINE_IMPORT_MAX_CELL_CHARS", 32_767)
SIGHTLINE_IMPORT_MAX_SECONDS = env_int("SIGHTLINE_IMPORT_MAX_SECONDS", 120)
# The largest request body (0: the largest upload with room for its form), answered 413 above
# it before the body is read.
SIGHTLINE_MAX_REQUEST_BYTES = env_int("SIGHTLINE_MAX_REQUEST_BYTES", 0, minimum=0)
MIDDLEWARE = [*MIDDLEWARE]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "sightline.core.upload_limits.UploadSizeMiddleware",
)
# --- redact: secrets in addresses masked in every log -------------------------------------
# Calendar-feed tokens, manager-approval links and password-reset links are credentials: the
# filter masks them in every record (sightline/core/log_filters.py). ``configure`` applies
# LOGGING, then puts the filter on every handler, Django's own defaults included.
LOGGING_CONFIG = "sightline.core.log_filters.configure"
LOGGING["filters"] = {"mask_secrets": {"()": "sightline.core.log_filters.MaskSecretsFilter"}}
LOGGING["handlers"] = {
    name: {**handler, "filters": ["mask_secrets"]}
    for name, handler in LOGGING["handlers"].items()  # type: ignore[attr-defined]
}
# --- retain: where the audit trail and access log are archived past their retention period --
RETENTION_ARCHIVE_DIR = Path(os.environ.get("SIGHTLINE_RETENTION_ARCHIVE_DIR", VAR_DIR / "archive"))
# --- Saving once (sightline.core.once): an unhandled write clash answers 409, not 500 -----
MIDDLEWARE = [*MIDDLEWARE, "sightline.core.once.IntegrityErrorMiddleware"]
# --- mfa: second factors (authenticator app, passkey or security key, recovery codes) ---
# Who must have one: "roles" (everyone holding a role other than practitioner: every role
# that sees case, learning, assurance or audit data) or "everyone".
SIGHTLINE_MFA_REQUIRED = os.environ.get("SIGHTLINE_MFA_REQUIRED", "roles").strip() or "roles"
if SIGHTLINE_MFA_REQUIRED not in {"roles", "everyone"}:
    raise ImproperlyConfigured(
        f"SIGHTLINE_MFA_REQUIRED must be roles or everyone, not {SIGHTLINE_MFA_REQUIRED!r}."
    )
# Whether the middleware enforces it: always, except in the test settings (tests turn it on).
SIGHTLINE_MFA_ENFORCED = True
# A demonstration (make run): a banner on every page, and accounts under
# @demo.sightline.test may go on without a second factor. Never with real people or data.
SIGHTLINE_DEMO = env_bool("SIGHTLINE_DEMO", default=False)
# Passkeys: the relying party's id is SIGHTLINE_BASE_URL's host unless this says otherwise.
SIGHTLINE_WEBAUTHN_RP_ID = os.environ.get("SIGHTLINE_WEBAUTHN_RP_ID", "").strip()
OTP_TOTP_ISSUER = "Sightline"
