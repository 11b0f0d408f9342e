"""Account administration (admin): list, create, change role, deactivate."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.extensions import db
from app.models import Role, User
from app.staff.account_forms import TemporaryPasswordForm, UserAccessForm, UserCreateForm
from app.staff.forms import show_errors
from app.staff.services.users import (
    AccountError,
    all_users,
    create_user,
    set_temporary_password,
    update_access,
)
from app.staff.views.access import role_required
from app.staff.views.blueprint import bp


@bp.get("/users/")
@role_required(Role.ADMIN)
def users():
    return render_template("staff/users.html", users=all_users())


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def user_new():
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            user = create_user(form.email.data, form.role.data, form.password.data, current_user.id)
            db.session.commit()
            flash(f"Account created for {user.email}.", "success")
            return redirect(url_for("staff.users"))
        except AccountError as error:
            db.session.rollback()
            show_errors(form, {"email": str(error)})
    return render_template("staff/user_new.html", form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def user_edit(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = UserAccessForm(data={"role": user.role, "active": user.active})
    if form.validate_on_submit():
        try:
            changes = update_access(user, form.role.data, form.active.data, current_user)
            db.session.commit()
            flash(f"Saved {user.email}." if changes else "Nothing changed.", "success")
            return redirect(url_for("staff.users"))
        except AccountError as error:
            db.session.rollback()
            show_errors(form, {"role": str(error)})
    return render_edit(user, form, TemporaryPasswordForm(formdata=None))


@bp.post("/users/<int:user_id>/password")
@role_required(Role.ADMIN)
def user_password(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = TemporaryPasswordForm()
    if form.validate_on_submit():
        try:
            set_temporary_password(user, form.password.data, current_user)
            db.session.commit()
            flash(f"{user.email} must choose a new password at their next sign-in.", "success")
            return redirect(url_for("staff.users"))
        except AccountError as error:
            db.session.rollback()
            if user.id == current_user.id:
                flash(str(error), "error")
                return redirect(url_for("staff.account_password"))
            show_errors(form, {"password": str(error)})
    access = UserAccessForm(formdata=None, data={"role": user.role, "active": user.active})
    return render_edit(user, access, form)


def render_edit(user: User, access: UserAccessForm, password: TemporaryPasswordForm):
    return render_template("staff/user_edit.html", form=access, password_form=password, user=user)
