"""Registrations for events: who holds a seat, who waits."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import UTCDateTime, utcnow
from app.extensions import db
from app.models.content import Event


class Registration(db.Model):
    __table_args__ = (
        UniqueConstraint("event_id", "email_normalized"),
        # The export reads each status of an event in this order, so nothing sorts 100,000s
        # of rows (app/staff/services/exports.py). It and the unique key above both start
        # with event_id, and every query by status names the event: neither column has an
        # index of its own, which each sign-up and status change would also have to write.
        Index(
            "ix_registration_event_status_registered_at",
            "event_id",
            "status",
            "registered_at",
            "id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"))
    # Random and unguessable; links carry it signed, never the id.
    manage_key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    email_normalized: Mapped[str] = mapped_column(String(254), index=True)
    company: Mapped[str] = mapped_column(String(200), default="")
    job_title: Mapped[str] = mapped_column(String(200), default="")
    dietary: Mapped[str] = mapped_column(Text, default="")
    accessibility: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20))
    # Order in the waitlist queue (a ticket from Event.waitlist_issued); None when not waiting.
    waitlist_ticket: Mapped[int | None] = mapped_column(Integer)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    marketing_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    marketing_opt_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # When the confirmation was last sent again for a repeated sign-up (at most hourly).
    confirmation_resent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Privacy (app/privacy/): which notice and marketing wording were agreed to (content
    # hashes, see ConsentText), when the notes were purged, when the person was anonymised.
    consent_version: Mapped[str | None] = mapped_column(String(64))
    marketing_consent_version: Mapped[str | None] = mapped_column(String(64))
    sensitive_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    event: Mapped[Event] = relationship()
