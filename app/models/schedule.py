"""Scheduled work's bookkeeping: one row per job, claimed by a conditional UPDATE."""

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import UTCDateTime
from app.extensions import db


class ScheduledJob(db.Model):
    __tablename__ = "scheduled_job"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    # The process whose UPDATE moves this forward runs the job; every other one sees no change.
    next_run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_result: Mapped[str | None] = mapped_column(Text)
    runs: Mapped[int] = mapped_column(default=0)
