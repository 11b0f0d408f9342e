"""The retention purge: keeps the privacy notice's promises by itself.

- Registrations of events that ended more than RETENTION_DAYS ago are anonymised
  (app/privacy/erasure.py).
- Dietary and accessibility notes (and answers to questions marked sensitive) of events
  that ended more than SENSITIVE_RETENTION_DAYS ago are cleared, with the bodies of the
  emails that quoted them.
- Sent or failed outbox messages lose body and address OUTBOX_RETENTION_DAYS after their
  last try.

Every change is a conditional UPDATE (`... IS NULL`), so two processes purging at once never
count or erase a row twice. An event that has not ended is never touched. A dry run counts
and changes nothing. `run_purge` is the scheduled job (registered in create_app).
"""

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update

from app.db import utcnow
from app.extensions import db
from app.models import Answer, Event, OutboxMessage, OutboxStatus, Question, Registration
from app.privacy.erasure import anonymise_registration, cleared_message

JOB_NAME = "privacy-purge"


@dataclass
class PurgeCounts:
    registrations_anonymised: int = 0
    sensitive_notes_cleared: int = 0
    outbox_messages_cleared: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def line(self) -> str:
        return ", ".join(f"{kind.replace('_', ' ')}: {n}" for kind, n in self.as_dict().items())


def ended_before(days: int, now: datetime):
    """Registrations of events that ended more than `days` days before `now`."""
    ended = select(Event.id).where(Event.ends_at < now - timedelta(days=days), Event.ends_at < now)
    return Registration.event_id.in_(ended)


def purge(now: datetime | None = None, dry_run: bool = False) -> PurgeCounts:
    """Apply the retention settings now (flushes; the caller commits); counts per kind."""
    now = now or utcnow()
    config = current_app.config
    counts = PurgeCounts()
    old = ended_before(config["RETENTION_DAYS"], now)
    to_anonymise = db.session.scalars(
        select(Registration.id).where(old, Registration.anonymised_at.is_(None))
    ).all()
    if dry_run:
        counts.registrations_anonymised = len(to_anonymise)
    else:
        counts.registrations_anonymised = sum(
            anonymise_registration(each, now) for each in to_anonymise
        )
    counts.sensitive_notes_cleared = purge_sensitive(
        now, config["SENSITIVE_RETENTION_DAYS"], dry_run
    )
    counts.outbox_messages_cleared = purge_outbox(now, config["OUTBOX_RETENTION_DAYS"], dry_run)
    return counts


def purge_sensitive(now: datetime, days: int, dry_run: bool) -> int:
    """Dietary and accessibility notes, and answers to questions marked sensitive."""
    due = (ended_before(days, now), Registration.sensitive_purged_at.is_(None))
    if dry_run:
        return db.session.scalar(select(func.count()).select_from(Registration).where(*due))
    purged = db.session.scalars(
        update(Registration)
        .where(*due)
        .values(dietary="", accessibility="", sensitive_purged_at=now)
        .returning(Registration.id)
        .execution_options(synchronize_session=False)
    ).all()
    if purged:
        # The confirmation emails quoted the notes: their bodies go too (addresses stay).
        db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.registration_id.in_(purged),
                OutboxMessage.status != OutboxStatus.PENDING,
            )
            .values(body_text="", body_html="", ics=None)
            .execution_options(synchronize_session=False)
        )
        # Answers to questions marked sensitive (issue 13); the other answers stay.
        sensitive = select(Question.id).where(Question.sensitive.is_(True))
        db.session.execute(
            delete(Answer)
            .where(Answer.registration_id.in_(purged), Answer.question_id.in_(sensitive))
            .execution_options(synchronize_session=False)
        )
    return len(purged)


def purge_outbox(now: datetime, days: int, dry_run: bool) -> int:
    last_try = func.coalesce(OutboxMessage.sent_at, OutboxMessage.next_attempt_at)
    due = (
        OutboxMessage.status.in_((OutboxStatus.SENT, OutboxStatus.FAILED)),
        OutboxMessage.purged_at.is_(None),
        last_try < now - timedelta(days=days),
    )
    if dry_run:
        return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(*due))
    return db.session.execute(
        update(OutboxMessage)
        .where(*due)
        .values(**cleared_message(), purged_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount


def run_purge() -> str:
    """The scheduled job: purge and commit; the line goes to the log and the job's row."""
    counts = purge()
    db.session.commit()
    return counts.line()


def retention_periods() -> dict[str, int]:
    """The periods the privacy notice states, read from the settings that enforce them."""
    config = current_app.config
    return {
        "registrations": config["RETENTION_DAYS"],
        "sensitive": config["SENSITIVE_RETENTION_DAYS"],
        "outbox": config["OUTBOX_RETENTION_DAYS"],
    }
