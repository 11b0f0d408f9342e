"""Anonymising one registration: the single way personal data is erased, used by the
retention purge, the attendee's "Delete my data" and an admin's erase.

What statistics need stays (event, status, timestamps, check-in); every personal value goes,
in the caller's transaction (this flushes; the caller commits). Steps, in order:
  1. the registration's own fields (one conditional UPDATE: a second erase changes nothing);
  2. its answers to the event's questions (deleted: a label and a value are all they hold);
  3. its outbox rows: unsent ones are dropped, sent ones lose body and address;
  4. audit entries about it keep the action and lose the summary and values.
"""

import secrets
from datetime import datetime

from sqlalchemy import delete, update

from app.db import utcnow
from app.extensions import db
from app.models import Answer, AuditEntry, OutboxMessage, OutboxStatus, Registration

ERASED_SUMMARY = "(personal details erased)"


def placeholder_address(registration_id: int) -> str:
    """Not an address (no @): keeps (event, email_normalized) unique and matches no one."""
    return f"erased-{registration_id}.invalid"


def anonymise_registration(registration_id: int, now: datetime | None = None) -> bool:
    """Erase the personal data of one registration; False when it was erased already."""
    now = now or utcnow()
    changed = db.session.execute(
        update(Registration)
        .where(Registration.id == registration_id, Registration.anonymised_at.is_(None))
        .values(
            # A new random key: the old manage links open nothing (404).
            manage_key=secrets.token_urlsafe(24),
            name="",
            email="",
            email_normalized=placeholder_address(registration_id),
            company="",
            job_title="",
            dietary="",
            accessibility="",
            marketing_opt_in=False,
            marketing_opt_in_at=None,
            sensitive_purged_at=now,
            anonymised_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        return False
    erase_answers(registration_id)
    erase_outbox(registration_id, now)
    erase_audit(registration_id)
    db.session.flush()
    # Objects already loaded in this session must not show the old values.
    db.session.expire_all()
    return True


def erase_answers(registration_id: int) -> None:
    """Answers to the event's questions: every one of them goes."""
    db.session.execute(
        delete(Answer)
        .where(Answer.registration_id == registration_id)
        .execution_options(synchronize_session=False)
    )


def erase_outbox(registration_id: int, now: datetime) -> None:
    mine = OutboxMessage.registration_id == registration_id
    # Not yet sent: never sent now, so no email carries the data afterwards.
    db.session.execute(
        delete(OutboxMessage)
        .where(mine, OutboxMessage.status == OutboxStatus.PENDING)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(OutboxMessage)
        .where(mine)
        .values(**cleared_message(), purged_at=now)
        .execution_options(synchronize_session=False)
    )


def cleared_message() -> dict:
    # headers: an announcement's List-Unsubscribe link carries the address (signed, readable).
    return {
        "to_address": "",
        "body_text": "",
        "body_html": "",
        "ics": None,
        "last_error": None,
        "headers": None,
    }


def erase_audit(registration_id: int) -> None:
    db.session.execute(
        update(AuditEntry)
        .where(AuditEntry.target_type == "registration", AuditEntry.target_id == registration_id)
        .values(summary=ERASED_SUMMARY, changes=None)
        .execution_options(synchronize_session=False)
    )
