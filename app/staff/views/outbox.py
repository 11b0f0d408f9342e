"""The outbox page (staff): recent mail and its state, retry, correct an address and resend."""

from flask import abort, flash, redirect, render_template, request, url_for

from app.extensions import db
from app.models import OutboxMessage, Role
from app.pagination import paginate
from app.staff.forms import ResendForm, show_errors
from app.staff.services.outbox import (
    PER_PAGE,
    OutboxError,
    correct_and_resend,
    outbox_list,
    registration_of,
    retry,
)
from app.staff.views.access import role_required, safe_next
from app.staff.views.blueprint import bp


@bp.get("/outbox/")
@role_required(Role.STAFF)
def outbox():
    status = request.args.get("status", "")
    pagination = paginate(outbox_list(status), PER_PAGE)
    return render_template("staff/outbox.html", pagination=pagination, status=status)


@bp.get("/outbox/<int:message_id>")
@role_required(Role.STAFF)
def outbox_message(message_id: int):
    message = db.session.get(OutboxMessage, message_id) or abort(404)
    return render_message(message, ResendForm(data={"email": message.to_address}))


@bp.post("/outbox/<int:message_id>/retry")
@role_required(Role.STAFF)
def outbox_retry(message_id: int):
    message = db.session.get(OutboxMessage, message_id) or abort(404)
    try:
        retry(message)
        db.session.commit()
        flash(f"“{message.subject}” to {message.to_address} will be sent again now.", "success")
    except OutboxError as error:
        db.session.rollback()
        flash(str(error), "error")
    return redirect(safe_next(request.form.get("back"), url_for("staff.outbox")))


@bp.post("/outbox/<int:message_id>/resend")
@role_required(Role.STAFF)
def outbox_resend(message_id: int):
    message = db.session.get(OutboxMessage, message_id) or abort(404)
    form = ResendForm()
    if form.validate_on_submit():
        try:
            copy = correct_and_resend(message, form.email.data)
            db.session.commit()
            flash(f"Sent again to {copy.to_address}.", "success")
            return redirect(url_for("staff.outbox"))
        except OutboxError as error:
            db.session.rollback()
            show_errors(form, {"email": str(error)})
    return render_message(message, form)


def render_message(message: OutboxMessage, form: ResendForm):
    return render_template(
        "staff/outbox_message.html",
        message=message,
        registration=registration_of(message),
        form=form,
    )
