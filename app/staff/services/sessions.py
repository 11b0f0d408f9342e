"""How long a staff session lasts, and the device cookie that vouches for a known browser.

A session holds the account's session version from sign-in; raising the version on the account
(sign-out, deactivation, a role or password change) ends every session at once, wherever the
cookie was copied to. Sessions also end after STAFF_IDLE_MINUTES without a request and
STAFF_SESSION_HOURS after sign-in, however busy.

The device cookie follows OWASP's "device cookie" scheme: issued at each successful sign-in,
signed, bound to the account's address. Sign-ins from a browser holding one are limited on their
own and exempt from the account-wide lockout, so guessing from elsewhere cannot lock the owner
out of their own browser.
"""

import secrets
import time
from collections.abc import MutableMapping

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.models import User

VERSION_KEY = "staff_session_version"
STARTED_KEY = "staff_signed_in_at"
SEEN_KEY = "staff_seen_at"
# Writing the session on every request would send a new cookie each time; a minute is precise
# enough for a 30-minute idle limit.
SEEN_RESOLUTION_SECONDS = 60

DEVICE_COOKIE = "northlight_staff_device"
DEVICE_SALT = "northlight.staff-device"
DEVICE_COOKIE_DAYS = 180

SESSION_ENDED = "Your session has ended. Please sign in again."
SESSION_IDLE = "You were signed out after {minutes} minutes without activity. Please sign in again."
SESSION_TOO_LONG = "You were signed out after {hours} hours. Please sign in again."


def start(session: MutableMapping, user: User, now: float | None = None) -> None:
    """Mark a freshly signed-in session with the account's version and the time."""
    now = time.time() if now is None else now
    session[VERSION_KEY] = user.session_version
    session[STARTED_KEY] = int(now)
    session[SEEN_KEY] = int(now)


def ended_because(session: MutableMapping, user: User, now: float | None = None) -> str | None:
    """Why this session may no longer be used (a message for the sign-in page), or None."""
    now = time.time() if now is None else now
    config = current_app.config
    idle_minutes = config["STAFF_IDLE_MINUTES"]
    session_hours = config["STAFF_SESSION_HOURS"]
    started, seen = session.get(STARTED_KEY), session.get(SEEN_KEY)
    if session.get(VERSION_KEY) != user.session_version or started is None or seen is None:
        return SESSION_ENDED
    if now - started > session_hours * 3600:
        return SESSION_TOO_LONG.format(hours=f"{session_hours:g}")
    if now - seen > idle_minutes * 60:
        return SESSION_IDLE.format(minutes=f"{idle_minutes:g}")
    return None


def touch(session: MutableMapping, now: float | None = None) -> None:
    """Record activity, so the idle limit counts from the latest request."""
    now = time.time() if now is None else now
    if now - session.get(SEEN_KEY, 0) >= SEEN_RESOLUTION_SECONDS:
        session[SEEN_KEY] = int(now)


def keep_after_own_change(session: MutableMapping, user: User) -> None:
    """After changing one's own password the other sessions end, but not the one in use."""
    session[VERSION_KEY] = user.session_version


def device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=DEVICE_SALT)


def new_device_token(user: User) -> str:
    """A signed device cookie value for `user`'s address, with a nonce of its own."""
    return device_serializer().dumps({"login": user.email, "nonce": secrets.token_urlsafe(16)})


def device_nonce(token: str | None, login: str) -> str | None:
    """The nonce of a valid, unexpired device cookie issued for `login`, else None."""
    if not token:
        return None
    try:
        data = device_serializer().loads(token, max_age=DEVICE_COOKIE_DAYS * 86400)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("login") != login.strip().lower():
        return None
    nonce = data.get("nonce")
    return nonce if isinstance(nonce, str) and nonce else None
