"""Your own account (every role): change your password, the current one required."""

from flask import flash, redirect, render_template, session, url_for
from flask_login import current_user

from app.extensions import db
from app.models import Role
from app.staff.account_forms import PasswordChangeForm
from app.staff.forms import show_errors
from app.staff.services import sessions
from app.staff.services.users import AccountError, change_own_password
from app.staff.views.access import role_required
from app.staff.views.blueprint import bp


@bp.route("/account/password", methods=["GET", "POST"])
@role_required(Role.STAFF)
def account_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            change_own_password(current_user, form.current_password.data, form.password.data)
            db.session.commit()
        except AccountError as error:
            db.session.rollback()
            field = "current_password" if "current" in str(error) else "password"
            show_errors(form, {field: str(error)})
        else:
            # Every other session of the account has ended; this one carries on.
            sessions.keep_after_own_change(session, current_user)
            flash(
                "Your password is changed. Other sessions of your account are signed out.",
                "success",
            )
            return redirect(url_for("staff.dashboard"))
    return render_template(
        "staff/account_password.html", form=form, required=current_user.must_change_password
    )
