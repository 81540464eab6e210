"""Django settings. Everything a deployment changes comes from the environment.

CONSILIUM_VAR_DIR     where the embedded database, stored records and the demo's secret
                      key live (default ./var)
DATABASE_URL          e.g. postgres://user@127.0.0.1:5432/consilium (default: SQLite in
                      CONSILIUM_VAR_DIR/consilium.sqlite3)
SECRET_KEY            required when DEBUG is off; otherwise one is generated once and
                      kept in CONSILIUM_VAR_DIR/secret_key
CONSILIUM_STORAGE_DIR where record files are stored (default CONSILIUM_VAR_DIR/records);
                      outside the web root, never served directly
CONSILIUM_SESSION_TIMEOUT_MINUTES  inactivity timeout (default 30)
CONSILIUM_MAX_UPLOAD_MB            record size limit (default 50)
CONSILIUM_TASKS_URL   where background work is queued: redis://127.0.0.1:6379/0 in
                      production (default: a SQLite file, CONSILIUM_VAR_DIR/tasks.sqlite3)
CONSILIUM_TASKS_IMMEDIATE          run background work inline (tests, one-off scripts)
CONSILIUM_CLAIMS_INBOX             claims deliveries to scan: one subdirectory per program,
                      then one per delivery (default CONSILIUM_VAR_DIR/claims/inbox)
CONSILIUM_CLAIMS_SCANS_DIR         scan outputs (default CONSILIUM_VAR_DIR/claims/scans)
CONSILIUM_OUTREACH_AUTO_OPEN_SCORE open a proactive case without a coordinator at or above
                      this claims score (default: never; a program may set its own)
CONSILIUM_FHIR_IMPORT_WAIT         seconds a FHIR import waits for another import into the
                      same case before giving up (default 120; PostgreSQL)
CONSILIUM_OCR_DPI                  resolution scanned PDF pages are read at (default 300)
CONSILIUM_OCR_LANGUAGE             Tesseract model(s), e.g. eng or eng+spa (default eng)
CONSILIUM_OCR_PAGE_TIMEOUT         seconds OCR may spend on one page (default 120)
CONSILIUM_OCR_MAX_PAGES            scanned pages read per record (default 50)
CONSILIUM_OCR_STRAIGHTEN           turn scanned pages that are sideways or upside down and
                      level tilted ones before reading them (default 1; 0 reads them as
                      they come)
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, got {value!r}") from None


def _env_float(name: str, default: float | None) -> float | None:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return float(value)
    except ValueError:
        raise SystemExit(f"{name} must be a number, got {value!r}") from None


VAR_DIR = Path(os.environ.get("CONSILIUM_VAR_DIR", Path.cwd() / "var")).resolve()
DEBUG = _env_bool("CONSILIUM_DEBUG", False)


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    # The embedded default keeps a generated key beside its database, so the demo needs
    # no configuration and no key is ever written in the code.
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("CONSILIUM_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "consilium.apps.accounts",
    "consilium.apps.access",
    "consilium.apps.people",
    "consilium.apps.cases",
    "consilium.apps.records",
    "consilium.apps.reviews",
    "consilium.apps.reports",
    "consilium.apps.preparation",
    "consilium.apps.outreach",
    "consilium.apps.trials",
    "consilium.apps.decision",
    "consilium.apps.portal",
    "consilium.apps.web",
    "consilium.apps.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "consilium.apps.web.middleware.SessionActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "consilium.apps.web.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "consilium.urls"
WSGI_APPLICATION = "consilium.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "consilium.apps.web.context.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'consilium.sqlite3'}",
        conn_max_age=_env_int("CONSILIUM_DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one request writes; a busy timeout waits for the
    # writer instead of failing at once; IMMEDIATE avoids upgrade deadlocks.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SESSION_TIMEOUT_MINUTES = _env_int("CONSILIUM_SESSION_TIMEOUT_MINUTES", 30)
# SessionActivityMiddleware renews the session while the user is active, so the age is
# an inactivity timeout.
SESSION_COOKIE_AGE = SESSION_TIMEOUT_MINUTES * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _env_bool("CONSILIUM_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "SAMEORIGIN"  # the PDF viewer frames our own download URL
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

MAX_UPLOAD_MB = _env_int("CONSILIUM_MAX_UPLOAD_MB", 50)
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1_000_000
# Let Django hand over the whole file so the record check gives the real reason.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
STORAGE_DIR = Path(os.environ.get("CONSILIUM_STORAGE_DIR", VAR_DIR / "records")).resolve()
REVIEW_DUE_BUSINESS_DAYS = _env_int("CONSILIUM_REVIEW_DUE_BUSINESS_DAYS", 5)
# Proactive outreach from claims (apps/outreach).
CLAIMS_INBOX = Path(
    os.environ.get("CONSILIUM_CLAIMS_INBOX", VAR_DIR / "claims" / "inbox")
).resolve()
CLAIMS_SCANS_DIR = Path(
    os.environ.get("CONSILIUM_CLAIMS_SCANS_DIR", VAR_DIR / "claims" / "scans")
).resolve()
OUTREACH_AUTO_OPEN_SCORE = _env_float("CONSILIUM_OUTREACH_AUTO_OPEN_SCORE", None)
FOLLOWUP_QUESTION_LIMIT = 3
# How long a FHIR import waits for another import into the same case to finish before it
# gives up with a message (PostgreSQL's lock_timeout; SQLite waits its busy timeout).
FHIR_IMPORT_WAIT = _env_float("CONSILIUM_FHIR_IMPORT_WAIT", 120.0) or 120.0
# OCR of scanned records (engines/records/ocr.py: Tesseract and poppler's pdftoppm, from
# the Debian packages tesseract-ocr, tesseract-ocr-eng and poppler-utils), in the
# background after upload. The keys are the fields of ocr.OcrSettings.
OCR = {
    "dpi": _env_int("CONSILIUM_OCR_DPI", 300),
    "language": os.environ.get("CONSILIUM_OCR_LANGUAGE", "").strip() or "eng",
    "page_timeout": _env_float("CONSILIUM_OCR_PAGE_TIMEOUT", 120.0),
    "max_pages": _env_int("CONSILIUM_OCR_MAX_PAGES", 50),
    "straighten": _env_bool("CONSILIUM_OCR_STRAIGHTEN", True),
}

# Background work (abstraction after upload, claims scans) runs on Huey. The embedded
# default keeps its queue in a SQLite file beside the database; production points
# CONSILIUM_TASKS_URL at Redis and runs `consilium run_huey`. The demo runs a consumer
# inside its own process (consilium.background.start_consumer).
TASKS_URL = os.environ.get("CONSILIUM_TASKS_URL", "").strip()
HUEY = {
    "name": "consilium",
    "immediate": _env_bool("CONSILIUM_TASKS_IMMEDIATE", False),
    "results": False,
    "consumer": {"workers": 2, "worker_type": "thread"},
}
if TASKS_URL.startswith(("redis://", "rediss://", "unix://")):
    HUEY |= {"huey_class": "huey.RedisHuey", "url": TASKS_URL}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    HUEY |= {"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "tasks.sqlite3")}

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("CONSILIUM_TIME_ZONE", "America/New_York")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
# Static files are served from the apps by WhiteNoise (no collectstatic step needed);
# a deployment that prefers collected files sets CONSILIUM_STATIC_ROOT.
STATIC_ROOT = os.environ.get("CONSILIUM_STATIC_ROOT") or None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve app static files without a collectstatic step
WHITENOISE_AUTOREFRESH = DEBUG

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CONSILIUM_LOG_LEVEL", "WARNING")},
}
