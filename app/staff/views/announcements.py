"""Announcements (marketing and admins): write, preview with the number of recipients, send at
the configured pace, and watch the progress of each."""

from flask import Response, current_app, render_template, url_for

from app.models import Role
from app.staff.message_forms import AnnouncementForm
from app.staff.services.announcements import announceable_events, prepare, progress, send
from app.staff.views.access import role_required
from app.staff.views.blueprint import bp
from app.staff.views.group_mail import preview_or_send


@bp.route("/announcements", methods=["GET", "POST"])
@role_required(Role.MARKETING)
def announcements():
    form = AnnouncementForm()
    form.event_id.choices = [(0, "No event (general news)")] + [
        (event.id, event.title) for event in announceable_events()
    ]
    values = (form.event_id.data, form.subject.data, form.body.data)
    outcome = preview_or_send(
        form,
        lambda: prepare(*values),
        lambda: send(*values),
        url_for("staff.announcements"),
    )
    if isinstance(outcome, Response):
        return outcome
    draft, status = outcome
    page = render_template(
        "staff/announcements.html",
        form=form,
        draft=draft,
        sample=draft.sample() if draft else None,
        progress=progress(),
        pace=current_app.config.get("MAIL_RATE_PER_MINUTE") or 0,
    )
    return page, status
