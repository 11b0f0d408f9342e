"""The email outbox: every message is a row first, written with the change that caused it."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import UTCDateTime, utcnow
from app.extensions import db
from app.models.statuses import OutboxStatus


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"
    __table_args__ = (
        # A worker's claim (the first due pending row, app/outbox/delivery.py) reads this
        # index's first entry instead of sorting every pending row: 20,000 queued for an
        # announcement made each claim sort 20,000 rows on PostgreSQL (10 ms; now 0.1 ms).
        Index("ix_outbox_message_due", "status", "next_attempt_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    ics: Mapped[str | None] = mapped_column(Text)
    ics_method: Mapped[str | None] = mapped_column(String(20))
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When body and address were cleared (retention or erasure, app/privacy/).
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Issue 14: extra mail headers (List-Unsubscribe on announcements), and the staff message or
    # announcement the row belongs to ("message:12", "announcement:3"), for its counts.
    headers: Mapped[dict | None] = mapped_column(JSON)
    batch: Mapped[str | None] = mapped_column(String(40), index=True)
    # Issue 16: a registration email queued by its inputs ({"template": …, "context": {…}}):
    # body_text, body_html and ics are empty until the delivering worker composes them from
    # the registration (app/registration/emails.py compose), which then clears this.
    compose: Mapped[dict | None] = mapped_column(JSON)
