"""Signing in and out. Wrong credentials get one message, whatever was wrong; attempts are
rate limited per address and per account; `next` may only point back into this site.

A browser holding a device cookie for the account typed (app/staff/services/sessions.py) is
limited on its own instead of by the account-wide limit, so strangers' guesses cannot lock the
owner out of a browser they signed in from before.
"""

import time

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app.extensions import db, limiter
from app.models import Role
from app.staff.forms import LoginForm
from app.staff.services import sessions
from app.staff.services.users import (
    authenticate,
    notify_account_locked,
    record_failed_sign_in,
    record_sign_in,
)
from app.staff.views.access import role_required, safe_next
from app.staff.views.blueprint import bp

SIGN_IN_FAILED = "That email and password do not match an active account."
ACCOUNT_KEY_PREFIX = "staff-login:"
# Session key between a right password and the second factor: [user id, when].
PENDING_KEY = "staff_two_factor_pending"


def per_address_limit() -> str:
    return current_app.config.get("STAFF_LOGIN_LIMIT_PER_ADDRESS", "5/minute;30/hour")


def per_account_limit() -> str:
    return current_app.config.get("STAFF_LOGIN_LIMIT_PER_ACCOUNT", "10/hour")


def per_device_limit() -> str:
    return current_app.config.get("STAFF_LOGIN_LIMIT_PER_DEVICE", "10/hour")


def submitted_login() -> str:
    return request.form.get("email", "").strip().lower()


def submitted_account() -> str:
    return ACCOUNT_KEY_PREFIX + submitted_login()


def known_device_nonce() -> str | None:
    """The nonce of this browser's device cookie when it was issued for the account typed."""
    if "staff_device_nonce" not in g:
        token = request.cookies.get(sessions.DEVICE_COOKIE)
        g.staff_device_nonce = sessions.device_nonce(token, submitted_login())
    return g.staff_device_nonce


def known_device() -> bool:
    return known_device_nonce() is not None


def unknown_device() -> bool:
    return not known_device()


def device_key() -> str:
    return f"staff-device:{known_device_nonce()}"


def sign_in_failed(response) -> bool:
    # A successful sign-in redirects; only failures use up the account's allowance.
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(per_address_limit, methods=["POST"])
@limiter.limit(
    per_account_limit,
    key_func=submitted_account,
    methods=["POST"],
    deduct_when=sign_in_failed,
    exempt_when=known_device,
)
@limiter.limit(
    per_device_limit,
    key_func=device_key,
    methods=["POST"],
    deduct_when=sign_in_failed,
    exempt_when=unknown_device,
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("staff.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None and user.totp_secret:
            # The password was right; the second factor comes next, on its own page.
            session.clear()
            session[PENDING_KEY] = [user.id, int(time.time())]
            return redirect(url_for("staff.login_code", next=request.args.get("next")))
        if user is not None:
            return complete_sign_in(user, known_device())
        address = request.remote_addr or ""
        account = record_failed_sign_in(form.email.data, address, known_device())
        locking = account_limit_used_up_by_this_failure()
        if account is not None and locking is not None:
            notify_account_locked(account, address, *locking)
        db.session.commit()
        form.form_errors.append(SIGN_IN_FAILED)
    return render_template("staff/login.html", form=form)


def complete_sign_in(user, known_browser: bool):
    """Sign `user` in on a fresh session and go where they were heading."""
    record_sign_in(user, request.remote_addr or "", known_browser)
    db.session.commit()
    session.clear()  # a fresh session: nothing from before sign-in carries over
    login_user(user)
    sessions.start(session, user)
    target = safe_next(request.args.get("next"), url_for("staff.dashboard"))
    response = redirect(target)
    set_device_cookie(response, sessions.new_device_token(user))
    return response


def account_limit_used_up_by_this_failure() -> tuple[int, int] | None:
    """(failures allowed, minutes locked) when this failure is the one that locks the account.

    The account limit is deducted after the response, so its window still counts this attempt
    as available: one left means this failure uses up the last.
    """
    for current in limiter.current_limits:
        if ACCOUNT_KEY_PREFIX in current.key and current.remaining <= 1:
            return current.limit.amount, max(1, current.limit.get_expiry() // 60)
    return None


def set_device_cookie(response, token: str) -> None:
    response.set_cookie(
        sessions.DEVICE_COOKIE,
        token,
        max_age=sessions.DEVICE_COOKIE_DAYS * 86400,
        path=url_for("staff.login"),
        secure=request.is_secure or bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )


@bp.post("/logout")
@role_required(Role.STAFF)
def logout():
    # Every session of the account ends, including copies of this cookie made before.
    current_user.end_sessions()
    db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "success")
    return redirect(url_for("staff.login"))
