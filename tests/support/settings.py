"""The settings every test app starts from, and the servers this run may use."""

import os

# PostgreSQL and Redis are used when these are set; otherwise SQLite and in-memory limits.
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")

TEST_SETTINGS = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-not-for-production",
    "SITE_URL": "http://northlight.test",
    "MAIL_SERVER": "",
    "MAIL_DELIVERY": "worker",
    "RATELIMIT_ENABLED": False,
    "RATELIMIT_STORAGE_URI": "memory://",
    # No scheduled jobs unless a test asks for one (test_agenda, test_privacy_retention).
    "PROGRAMME_CHANGE_CHECK_SECONDS": 0,
    "PRIVACY_PURGE_INTERVAL_SECONDS": 0,
    "REMINDER_CHECK_SECONDS": 0,
}

# The registration form refuses a submit sooner than REGISTRATION_MIN_FILL_SECONDS after it
# was shown (anti-bot); tests that post the form at once turn that off.
FORM_SETTINGS = {"REGISTRATION_MIN_FILL_SECONDS": 0}
