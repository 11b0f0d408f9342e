"""Who may enter the staff area: one guard for the whole blueprint, one role check per view."""

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user

from app.db import utcnow
from app.extensions import db, login_manager
from app.models import ROLES, User
from app.staff.services import sessions, two_factor
from app.staff.views.blueprint import bp

# Views anyone may reach: the sign-in page must be reachable before signing in.
OPEN_ENDPOINTS = {"staff.login", "staff.login_code"}
# What an account with a temporary password may do before choosing its own.
PASSWORD_CHANGE_ENDPOINTS = {"staff.login", "staff.logout", "staff.account_password"}
# What an admin may do before setting up the second factor when STAFF_REQUIRE_2FA=1.
SETUP_ENDPOINTS = {"staff.login", "staff.logout", "staff.account_two_factor"}


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


@bp.before_request
def require_signed_in_active_user():
    """Send anonymous visitors to sign-in; end sessions that were ended or ran out, and those of
    accounts deactivated since they signed in; hold temporary passwords at the change page."""
    if current_user.get_id() is not None:
        # A deactivated account counts as not authenticated (UserMixin), so ask about it first.
        ended = (
            "This account has been deactivated."
            if not current_user.is_active
            else sessions.ended_because(session, current_user)
        )
        if ended:
            logout_user()
            session.clear()
            flash(ended, "error")
            return redirect(url_for("staff.login"))
        sessions.touch(session)
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("staff.login", next=current_location()))
    if current_user.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        return redirect(url_for("staff.account_password"))
    if two_factor.setup_required(current_user) and request.endpoint not in SETUP_ENDPOINTS:
        return redirect(url_for("staff.account_two_factor"))
    return None


@bp.context_processor
def staff_template_context() -> dict:
    # Only staff templates see the user; public pages must not touch the session.
    return {"current_user": current_user, "now": utcnow()}


def role_required(role: str):
    """Allow the view only to signed-in users holding `role` (or a higher one); 403 otherwise."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")

    def decorate(view):
        @wraps(view)
        def checked(*args, **kwargs):
            if not current_user.is_authenticated or not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        checked.required_role = role
        return checked

    return decorate


def current_location() -> str:
    query = request.query_string.decode("utf-8", "replace")
    return f"{request.path}?{query}" if query else request.path


def safe_next(target: str | None, default: str) -> str:
    """`target` when it is a path on this site, else `default`: no open redirect."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
