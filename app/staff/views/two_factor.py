"""The second factor: the code step of sign-in, and setting it up or turning it off."""

import time

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.security import check_password_hash

from app.extensions import db, limiter
from app.models import Role, User
from app.staff.account_forms import TwoFactorCodeForm, TwoFactorDisableForm
from app.staff.services import two_factor
from app.staff.services.audit import record
from app.staff.views.access import role_required
from app.staff.views.auth import PENDING_KEY, complete_sign_in, known_device, per_address_limit
from app.staff.views.blueprint import bp

# The code must follow the password within this time, or the sign-in starts again.
PENDING_SECONDS = 300
SETUP_KEY = "staff_two_factor_setup_secret"
WRONG_CODE = "That code is not right. Codes change every 30 seconds; try the newest one."


def pending_user() -> User | None:
    user_id, started = session.get(PENDING_KEY) or (None, 0)
    if user_id is None or time.time() - started > PENDING_SECONDS:
        return None
    return db.session.get(User, user_id)


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(per_address_limit, methods=["POST"])
def login_code():
    user = pending_user()
    if user is None or not user.is_active:
        session.pop(PENDING_KEY, None)
        flash("Please sign in again.", "error")
        return redirect(url_for("staff.login"))
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        if two_factor.second_factor_accepted(user, form.code.data):
            return complete_sign_in(user, known_device())
        form.code.errors = [WRONG_CODE]
    return render_template("staff/login_code.html", form=form)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@role_required(Role.STAFF)
def account_two_factor():
    if current_user.totp_secret:
        return turn_off()
    secret = session.get(SETUP_KEY) or two_factor.new_secret()
    session[SETUP_KEY] = secret
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        codes = two_factor.enable(current_user, secret, form.code.data)
        if codes is not None:
            record(
                "account.two_factor_on",
                current_user,
                f"Two-factor sign-in turned on for {current_user.email}",
            )
            db.session.commit()
            session.pop(SETUP_KEY, None)
            return render_template("staff/two_factor_codes.html", codes=codes)
        form.code.errors = [WRONG_CODE]
    uri = two_factor.provisioning_uri(current_user, secret)
    return render_template(
        "staff/two_factor_setup.html",
        form=form,
        secret=secret,
        qr=two_factor.qr_svg(uri),
        required=two_factor.setup_required(current_user),
    )


def turn_off():
    form = TwoFactorDisableForm()
    if request.method == "POST" and form.validate_on_submit():
        if check_password_hash(current_user.password_hash, form.password.data):
            two_factor.disable(current_user)
            record(
                "account.two_factor_off",
                current_user,
                f"Two-factor sign-in turned off for {current_user.email}",
            )
            db.session.commit()
            flash("Two-factor sign-in is off.", "success")
            return redirect(url_for("staff.account_two_factor"))
        form.password.errors = ["That is not your current password."]
    remaining = len(current_user.recovery_code_hashes or [])
    return render_template("staff/two_factor_on.html", form=form, remaining=remaining)
