"""A person's latest choice about marketing email, by normalised address."""

from datetime import datetime

from sqlalchemy import Boolean, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import UTCDateTime, utcnow
from app.extensions import db


class MarketingChoice(db.Model):
    """One row per address: the latest "email me about future events" answer, wherever it
    was given (a sign-up, the manage page, an unsubscribe link, staff acting on a request)."""

    __tablename__ = "marketing_choice"

    email_normalized: Mapped[str] = mapped_column(String(254), primary_key=True)
    opted_in: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Where the answer came from: "sign-up", "manage page", "unsubscribe link", "staff".
    source: Mapped[str] = mapped_column(String(40))


class ConsentText(db.Model):
    """Each wording ever agreed to (privacy notice, marketing box), by content hash: a
    registration's consent_version points here, so the text it agreed to can be shown."""

    __tablename__ = "consent_text"

    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
