"""Messages from staff to an event's attendees (all roles): write, preview, send, history."""

from flask import Response, abort, flash, redirect, render_template, url_for

from app.extensions import db
from app.models import Role, StaffMessage
from app.staff.forms import EmptyForm
from app.staff.message_forms import MessageForm
from app.staff.services.messages import audience_choices, history, prepare, resend_failed, send
from app.staff.views.access import role_required
from app.staff.views.blueprint import bp
from app.staff.views.events import get_event_or_404
from app.staff.views.group_mail import preview_or_send


@bp.route("/events/<slug>/messages", methods=["GET", "POST"])
@role_required(Role.STAFF)
def event_messages(slug: str):
    event = get_event_or_404(slug)
    form = MessageForm()
    form.audience.choices = audience_choices()
    values = (form.audience.data, form.subject.data, form.body.data)
    outcome = preview_or_send(
        form,
        lambda: prepare(event, *values),
        lambda: send(event, *values),
        url_for("staff.event_messages", slug=event.slug),
    )
    if isinstance(outcome, Response):
        return outcome
    draft, status = outcome
    page = render_template(
        "staff/messages.html",
        event=event,
        form=form,
        draft=draft,
        sample=draft.sample() if draft else None,
        history=history(event),
        audiences=dict(audience_choices()),
        button_form=EmptyForm(),
    )
    return page, status


@bp.post("/events/<slug>/messages/<int:message_id>/resend")
@role_required(Role.STAFF)
def event_message_resend(slug: str, message_id: int):
    event = get_event_or_404(slug)
    message = db.session.get(StaffMessage, message_id)
    if message is None or message.event_id != event.id or not EmptyForm().validate_on_submit():
        abort(404 if message is None or message.event_id != event.id else 400)
    count = resend_failed(message)
    db.session.commit()
    flash(f"Trying again for {count} failed copies." if count else "No copy has failed.", "info")
    return redirect(url_for("staff.event_messages", slug=event.slug))
