"""Announcements (marketing and admins): write, preview with the number of recipients, send at
the configured pace, and watch the progress of each."""

from flask import current_app, flash, redirect, render_template, url_for

from app.extensions import db
from app.models import Role
from app.staff.message_forms import AnnouncementForm
from app.staff.services.announcements import announceable_events, prepare, progress, send
from app.staff.services.group_mail import MessageError
from app.staff.views.access import role_required
from app.staff.views.blueprint import bp


@bp.route("/announcements", methods=["GET", "POST"])
@role_required(Role.MARKETING)
def announcements():
    form = AnnouncementForm()
    form.event_id.choices = [(0, "No event (general news)")] + [
        (event.id, event.title) for event in announceable_events()
    ]
    draft, status = None, 200
    if form.validate_on_submit():
        values = (form.event_id.data, form.subject.data, form.body.data)
        try:
            if form.send.data:
                announcement = send(*values)
                db.session.commit()
                flash(
                    f"Queued “{announcement.subject}” for {announcement.recipients} people.",
                    "success",
                )
                return redirect(url_for("staff.announcements"))
            draft = prepare(*values)
        except MessageError as error:
            db.session.rollback()
            for name, text in error.errors.items():
                getattr(form, name).errors = [text]
            status = 422
    page = render_template(
        "staff/announcements.html",
        form=form,
        draft=draft,
        sample=draft.sample() if draft else None,
        progress=progress(),
        pace=current_app.config.get("MAIL_RATE_PER_MINUTE") or 0,
    )
    return page, status
