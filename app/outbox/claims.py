"""Taking messages from the outbox and giving them back: the claim a worker holds while it
sends (app/outbox/delivery.py).

Messages are claimed, up to CLAIM_BATCH at once, by moving their next_attempt_at forward (a
lease) in a short transaction, and composed there if they were queued by their inputs. A
worker killed mid-send leaves its claimed messages pending; they are due again when the lease
runs out. On PostgreSQL the claim uses FOR UPDATE SKIP LOCKED, so several workers share the
queue.
"""

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from app.db import OUTAGE_ERRORS, utcnow
from app.extensions import db
from app.models import OutboxMessage, OutboxStatus
from app.outbox.queue import COMPOSERS, PREPARERS

log = logging.getLogger("northlight.mail")
# Logs name messages by their id; addresses stay in the outbox, which the purge empties.
EMAIL_ADDRESS = re.compile(r"[^\s<>\"'(),;:]+@[^\s<>\"'(),;:]+")

# How long a claimed message is left alone before another worker may try it (a crash's cost);
# OUTBOX_CLAIM_LEASE_SECONDS overrides it. Longer than any send takes, so a slow SMTP relay
# never sees one message from two workers.
LEASE = timedelta(minutes=5)
# How many due messages a worker claims in one transaction: the claim's round trips are
# shared by the batch, and a worker killed mid-batch leaves at most this many to its lease.
CLAIM_BATCH = 10


@dataclass(frozen=True)
class Envelope:
    """What a claimed message needs for sending, read before its transaction ends."""

    id: int
    message_id: str
    to_address: str
    subject: str
    body_text: str
    body_html: str
    ics: str | None
    ics_method: str | None
    attempts: int
    headers: dict | None = None
    # The end of this worker's claim on it (its next_attempt_at as claimed).
    leased_until: datetime | None = None


def due_messages():
    return (
        select(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= utcnow()
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    )


def claim_batch(size: int) -> list[Envelope] | None:
    """Take up to `size` due messages for this worker in one transaction: count an attempt
    and lease each, compose those queued by their inputs, then commit. None when none was
    due; the list leaves out any that could not be composed (failed, logged).

    Composed before the claim's own changes are made, and with no flush until the commit,
    so the batch's changes go out together (on PostgreSQL each statement is a round trip:
    they were most of a message's cost to the worker).
    """
    query = due_messages().limit(size).with_for_update(skip_locked=True)
    messages = db.session.scalars(query).all()
    if not messages:
        db.session.rollback()
        return None
    envelopes, failed = [], []
    lease_until = utcnow() + claim_lease()
    with db.session.no_autoflush:
        prepared = prepare(messages)
        for message in messages:
            problem = composed(message, prepared)
            message.attempts += 1
            message.next_attempt_at = lease_until
            # A leased message has no error: that is how a retry-now tells it from one waiting.
            message.last_error = problem
            if problem is None:
                envelopes.append(envelope_of(message))
            else:
                message.status = OutboxStatus.FAILED
                failed.append((message.message_id, problem))
    db.session.commit()
    for message_id, problem in failed:
        log.error("cannot compose %s: %s", message_id, without_addresses(problem))
    return envelopes


def half_the_lease_gone(envelope: Envelope) -> bool:
    """Whether this worker has held its claim on `envelope` for half the lease: a message is
    sent only while its lease is sure to last, so no other worker can take it meanwhile
    (OUTBOX_CLAIM_LEASE_SECONDS may be short; ten sends together may not be)."""
    return utcnow() >= envelope.leased_until - claim_lease() / 2


def envelope_of(message: OutboxMessage) -> Envelope:
    return Envelope(
        id=message.id,
        message_id=message.message_id,
        to_address=message.to_address,
        subject=message.subject,
        body_text=message.body_text,
        body_html=message.body_html,
        ics=message.ics,
        ics_method=message.ics_method,
        attempts=message.attempts,
        headers=message.headers,
        leased_until=message.next_attempt_at,
    )


def release(envelopes: list[Envelope]) -> None:
    """Claimed but never tried (the server went away or is slow, the worker is stopping):
    due again at once, and the attempt not counted, so an outage uses up no one's attempts.
    Only messages still under this claim (their lease unchanged): one another worker has
    taken since is left to it."""
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_([envelope.id for envelope in envelopes]),
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at == envelopes[0].leased_until,
        )
        .values(attempts=OutboxMessage.attempts - 1, next_attempt_at=utcnow())
    )
    db.session.commit()


def prepare(messages: list[OutboxMessage]) -> dict[str, Any]:
    """What each composer read, for all of its messages among `messages` at once, to compose
    them (PREPARERS): {composer name: what its preparer returned}, for composed()."""
    batches: dict[str, list[OutboxMessage]] = {}
    for message in messages:
        if message.compose is not None:
            batches.setdefault(message.compose.get("composer"), []).append(message)
    return {name: PREPARERS[name](batch) for name, batch in batches.items() if name in PREPARERS}


def composed(message: OutboxMessage, prepared: dict[str, Any] | None = None) -> str | None:
    """Write the bodies of a message queued by its inputs; what went wrong, or None.

    Composed once: the finished bodies replace the inputs in the claim's transaction, so a
    retry sends the same message and staff read what was sent. A composer only reads until
    it has everything, then sets the bodies (COMPOSERS): one that fails has written nothing.
    `prepared`: what prepare() read for the batch `message` is in.
    """
    if message.compose is None:
        return None
    name = message.compose.get("composer")
    composer = COMPOSERS.get(name)
    if composer is None:
        return f"No composer for {name!r}."
    try:
        if not composer(message, (prepared or {}).get(name)):
            return "Its registration no longer exists: there was nothing to write."
    except OUTAGE_ERRORS:
        # The database went away while the message was being written: not the message's
        # fault. The claim is undone with the transaction; the worker waits and tries again.
        raise
    except Exception as error:  # a template that cannot render: no retry helps
        log.exception("cannot compose %s", message.message_id)
        return describe(error)
    return None


def claim_lease() -> timedelta:
    seconds = current_app.config.get("OUTBOX_CLAIM_LEASE_SECONDS")
    return LEASE if seconds is None else timedelta(seconds=float(seconds))


def describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def without_addresses(text: str) -> str:
    """An SMTP error for the log: servers often quote the recipient; the log never does."""
    return EMAIL_ADDRESS.sub("[address]", text)
