"""Settings read from the environment (and `.env` when present), with safe defaults."""

import os
import secrets
from pathlib import Path

from dotenv import load_dotenv

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"

load_dotenv(ROOT / ".env")


def env_flag(name: str, default: bool) -> bool:
    """Read a yes/no setting: 1/true/yes/on are yes, 0/false/no/off are no."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def is_production() -> bool:
    return os.environ.get("FLASK_ENV", "").lower() == "production"


def development_secret_key() -> str:
    """A key generated once per checkout and kept in instance/, so sessions survive restarts."""
    path = INSTANCE / "secret_key"
    INSTANCE.mkdir(exist_ok=True)
    try:
        # Created readable by the owner only: no moment when another user could read it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    if is_production():
        raise RuntimeError(
            "SECRET_KEY is not set. In production, set it to a long random value, "
            'e.g. python -c "import secrets; print(secrets.token_hex(32))".'
        )
    return development_secret_key()


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        INSTANCE.mkdir(exist_ok=True)
        return f"sqlite:///{INSTANCE / 'northlight.sqlite'}"
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the driver named.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    """Everything the app reads from the environment, in one place."""

    def __init__(self) -> None:
        self.SECRET_KEY = secret_key()
        self.SQLALCHEMY_DATABASE_URI = database_url()
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:5000").rstrip("/")
        self.SITE_NAME = "Northlight"

        self.MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
        self.MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
        self.MAIL_USE_TLS = env_flag("MAIL_USE_TLS", False)
        self.MAIL_USE_SSL = env_flag("MAIL_USE_SSL", False)
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
        self.MAIL_DEFAULT_SENDER = os.environ.get(
            "MAIL_DEFAULT_SENDER", "Northlight <events@northlight.example>"
        )
        self.MAIL_DELIVERY = os.environ.get("MAIL_DELIVERY", "thread")
        self.MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "8"))
        # A message a worker claimed is tried again by another after this long (a crash's cost).
        self.OUTBOX_CLAIM_LEASE_SECONDS = float(os.environ.get("OUTBOX_CLAIM_LEASE_SECONDS", "300"))

        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
        # Before every key the limits are counted under: sites sharing one Redis keep apart.
        self.RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "")
        self.RATELIMIT_ENABLED = env_flag("RATELIMIT_ENABLED", True)
        # No X-RateLimit-* headers: a person reads the 429 page (which says to wait a minute, as
        # its Retry-After does), and the headers cost two more Redis round trips per limited
        # request (issue 16: a sign-up's).
        self.RATELIMIT_HEADERS_ENABLED = False
        # Redis away: each process counts the same limits on its own until it is back (checked
        # again after 1, 2, 4 … seconds), rather than every limited request failing with a 500.
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
        # Public pages kept per process for anonymous visitors (app/http/page_store.py); 0: off.
        self.PAGE_CACHE_SECONDS = float(os.environ.get("PAGE_CACHE_SECONDS", "60"))

        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        # The CSRF token lives as long as the session; a form left open for hours still posts.
        self.WTF_CSRF_TIME_LIMIT = None
        # The registration form's anti-bot stamp: refused when older than this (replays).
        self.REGISTRATION_FORM_MAX_AGE_SECONDS = int(
            os.environ.get("REGISTRATION_FORM_MAX_AGE_SECONDS", str(4 * 3600))
        )
        # Privacy (app/privacy/retention.py), days after an event ends / after a message's last try.
        self.RETENTION_DAYS = int(os.environ.get("RETENTION_DAYS", "365"))
        self.SENSITIVE_RETENTION_DAYS = int(os.environ.get("SENSITIVE_RETENTION_DAYS", "30"))
        self.OUTBOX_RETENTION_DAYS = int(os.environ.get("OUTBOX_RETENTION_DAYS", "90"))
        self.PRIVACY_PURGE_INTERVAL_SECONDS = float(
            os.environ.get("PRIVACY_PURGE_INTERVAL_SECONDS", "86400")
        )
        self.ARTICLES_PER_PAGE = 10

        # Staff sessions end after this long without a request, and this long after sign-in.
        # 1: admins must set up a TOTP second factor before they can do anything else.
        self.STAFF_REQUIRE_2FA = os.environ.get("STAFF_REQUIRE_2FA", "0") == "1"
        self.STAFF_IDLE_MINUTES = float(os.environ.get("STAFF_IDLE_MINUTES", "30"))
        self.STAFF_SESSION_HOURS = float(os.environ.get("STAFF_SESSION_HOURS", "12"))

        # Programme changes: one email per attendee this long after the last edit of a batch.
        self.PROGRAMME_CHANGE_DELAY_SECONDS = float(
            os.environ.get("PROGRAMME_CHANGE_DELAY_SECONDS", "300")
        )
        self.PROGRAMME_CHANGE_CHECK_SECONDS = float(
            os.environ.get("PROGRAMME_CHANGE_CHECK_SECONDS", "60")
        )
        # Issue 14: how often the mail-delivering processes look for due reminders; 0: never.
        self.REMINDER_CHECK_SECONDS = float(os.environ.get("REMINDER_CHECK_SECONDS", "60"))
        # Announcements are queued at this pace (messages per minute); unset or 0: no pacing.
        self.MAIL_RATE_PER_MINUTE = int(os.environ.get("MAIL_RATE_PER_MINUTE") or "0")
        self.MAX_CONTENT_LENGTH = 1024 * 1024
        # Images (app/media/): the upload view alone raises the request limit to fit one file.
        self.MEDIA_MAX_BYTES = int(os.environ.get("MEDIA_MAX_BYTES", "15000000"))
        self.MEDIA_MAX_PIXELS = int(os.environ.get("MEDIA_MAX_PIXELS", "40000000"))
        # Unset: originals and variants live in the database (several hosts, no shared disk).
        self.MEDIA_DIR = os.environ.get("MEDIA_DIR", "")

    def as_dict(self) -> dict:
        return {key: value for key, value in vars(self).items() if key.isupper()}
