"""What the staff home page shows: upcoming events."""

from sqlalchemy import select

from app.db import utcnow
from app.extensions import db
from app.models import Event


def upcoming_events() -> list[Event]:
    """Events not yet over, the soonest first (drafts too: staff prepare them)."""
    query = select(Event).where(Event.ends_at >= utcnow()).order_by(Event.starts_at)
    return list(db.session.scalars(query))
