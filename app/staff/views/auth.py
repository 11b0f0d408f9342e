"""Signing in and out. Wrong credentials get one message, whatever was wrong; attempts are
rate limited per address and per account; `next` may only point back into this site."""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app.extensions import db, limiter
from app.models import Role
from app.staff.forms import LoginForm
from app.staff.services.users import authenticate
from app.staff.views.access import role_required, safe_next
from app.staff.views.blueprint import bp

SIGN_IN_FAILED = "That email and password do not match an active account."


def per_address_limit() -> str:
    return current_app.config.get("STAFF_LOGIN_LIMIT_PER_ADDRESS", "5/minute;30/hour")


def per_account_limit() -> str:
    return current_app.config.get("STAFF_LOGIN_LIMIT_PER_ACCOUNT", "10/hour")


def submitted_account() -> str:
    return "staff-login:" + request.form.get("email", "").strip().lower()


def sign_in_failed(response) -> bool:
    # A successful sign-in redirects; only failures use up the account's allowance.
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(per_address_limit, methods=["POST"])
@limiter.limit(
    per_account_limit, key_func=submitted_account, methods=["POST"], deduct_when=sign_in_failed
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("staff.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            db.session.commit()
            session.clear()  # a fresh session: nothing from before sign-in carries over
            login_user(user)
            return redirect(safe_next(request.args.get("next"), url_for("staff.dashboard")))
        form.form_errors.append(SIGN_IN_FAILED)
    return render_template("staff/login.html", form=form)


@bp.post("/logout")
@role_required(Role.STAFF)
def logout():
    logout_user()
    session.clear()
    flash("You are signed out.", "success")
    return redirect(url_for("staff.login"))
