"""The staff home page: upcoming events with their numbers, and where to go next."""

from flask import render_template

from app.models import Role
from app.staff.services.attendees import status_counts_by_event
from app.staff.services.dashboard import upcoming_events
from app.staff.services.outbox import has_failed_mail
from app.staff.views.access import role_required
from app.staff.views.blueprint import bp


@bp.get("/")
@role_required(Role.STAFF)
def dashboard():
    return render_template(
        "staff/dashboard.html",
        events=upcoming_events(),
        counts=status_counts_by_event(),
        has_failed_mail=has_failed_mail(),
    )
