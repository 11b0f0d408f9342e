"""The staff home page: upcoming events with their numbers, and where to go next."""

from flask import render_template
from sqlalchemy import select

from app.db import utcnow
from app.extensions import db
from app.models import Event, OutboxMessage
from app.staff import bp
from app.staff.access import role_required
from app.staff.attendee_queries import status_counts_by_event


@bp.get("/")
@role_required("staff")
def dashboard():
    upcoming = select(Event).where(Event.ends_at >= utcnow()).order_by(Event.starts_at)
    failed = select(OutboxMessage.id).where(OutboxMessage.status == "failed").limit(1)
    return render_template(
        "staff/dashboard.html",
        events=db.session.scalars(upcoming).all(),
        counts=status_counts_by_event(),
        has_failed_mail=db.session.scalar(failed) is not None,
    )
