"""The outbox: every email is a row first, written in the transaction of the change behind it."""

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import insert

from app.addresses import normalize_email
from app.db import utcnow
from app.extensions import db
from app.models import Event, OutboxMessage, OutboxStatus, Registration
from app.observability import current_request_id

# Session.info key: set when a transaction adds mail, read after commit to wake the sender.
OUTBOX_DIRTY = "northlight.outbox_dirty"

# Who writes the bodies of a message queued by its inputs (OutboxMessage.compose names it):
# {name: function(message, prepared) -> bool}, filled by the feature that queues such mail. A
# composer reads what it needs first and sets the message's fields last, flushing nothing, so
# one that raises has changed nothing (claims.composed keeps no savepoint for it).
COMPOSERS: dict[str, Callable[[OutboxMessage, Any], bool]] = {}
# Optional, per composer: {name: function(messages) -> prepared}, which reads in a few queries
# what composing a batch of its messages needs; the composer is given what it returned
# (claims.prepare), or None, and then reads for itself.
PREPARERS: dict[str, Callable[[list[OutboxMessage]], Any]] = {}

FIRST_RETRY_SECONDS = 30
LONGEST_WAIT_SECONDS = 3600


def enqueue(
    kind: str,
    to_address: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    *,
    ics: str | None = None,
    ics_method: str | None = None,
    registration: Registration | None = None,
    event: Event | None = None,
    batch: str | None = None,
    compose: dict | None = None,
) -> OutboxMessage:
    """Add one message to the outbox in the current transaction; it is sent after commit.

    With `compose` ({"composer": name in COMPOSERS, …}), the bodies are left empty and that
    composer writes them when the message is delivered (app/outbox/delivery.py).
    """
    if registration is not None and event is None:
        event = registration.event
    return add_message(
        kind=kind,
        registration_id=registration.id if registration is not None else None,
        event_id=event.id if event is not None else None,
        to_address=to_address,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        ics=ics,
        ics_method=ics_method,
        batch=batch,
        compose=compose,
    )


def add_message(**fields) -> OutboxMessage:
    """A new pending row with its own Message-ID, due now; wakes the sender after commit."""
    message = OutboxMessage(
        **fields,
        message_id=new_message_id(),
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
        request_id=current_request_id(),
    )
    db.session.add(message)
    db.session.flush()
    mark_dirty()
    return message


def add_many(rows: list[dict], *, first_due: datetime | None = None, per_minute: int = 0) -> int:
    """Queue many messages with one multi-row INSERT (an announcement to 20,000 people is one
    statement, not 20,000); each row holds the OutboxMessage columns it sets.

    With `per_minute`, row i is due i/per_minute minutes after `first_due`: the pace is in the
    rows, so any number of delivering processes together keep to it.
    """
    if not rows:
        return 0
    start = first_due or utcnow()
    request_id = current_request_id()
    spacing = timedelta(minutes=1) / per_minute if per_minute else timedelta(0)
    values = [
        {
            "body_html": "",
            "ics": None,
            "ics_method": None,
            "registration_id": None,
            "event_id": None,
            "headers": None,
            "batch": None,
            "compose": None,
            **row,
            "message_id": new_message_id(),
            "status": OutboxStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": start + spacing * index,
            "request_id": request_id,
            "created_at": start,
        }
        for index, row in enumerate(rows)
    ]
    db.session.execute(insert(OutboxMessage), values)
    mark_dirty()
    return len(values)


def new_message_id() -> str:
    """A globally unique Message-ID on the site's own domain; retried sends reuse it."""
    host = urlsplit(current_app.config["SITE_URL"]).hostname or "northlight.invalid"
    # Short (no pid or timestamp), so the header is not folded over two lines.
    return f"<{uuid.uuid4().hex}@{host}>"


def mark_dirty() -> None:
    db.session.info[OUTBOX_DIRTY] = True


def retry_delay(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failed try: 30 s, doubling, never more than an hour."""
    seconds = FIRST_RETRY_SECONDS * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, LONGEST_WAIT_SECONDS))


def retry_now(message: OutboxMessage, now: datetime | None = None) -> OutboxMessage:
    """Make a failed, held or waiting message due at once (staff's "retry" button).

    A failed message gets one more attempt; held mail is sent if a server is configured.
    :raises ValueError: when the message was already sent (sending it again would duplicate it).
    """
    if message.status == OutboxStatus.SENT:
        raise ValueError("This message has already been sent.")
    if message.status == OutboxStatus.PENDING and message.last_error is None:
        # Never tried, or being sent right now: it needs no nudge, and a nudge could send it twice.
        return message
    message.status = OutboxStatus.PENDING
    message.next_attempt_at = now or utcnow()
    db.session.flush()
    mark_dirty()
    return message


def resend_to(message: OutboxMessage, new_address: str) -> OutboxMessage:
    """Queue a copy of `message` to another address (a typo fixed, a colleague instead).

    :raises ValueError: when `new_address` is not a valid email address.
    """
    address, _ = normalize_email(new_address)
    return copy_to(message, address)


def copy_to(message: OutboxMessage, address: str) -> OutboxMessage:
    """A new message with its own Message-ID, the same content, to an address already checked
    with normalize_email; the original is left as it was."""
    return add_message(
        kind=message.kind,
        registration_id=message.registration_id,
        event_id=message.event_id,
        to_address=address,
        subject=message.subject,
        body_text=message.body_text,
        body_html=message.body_html,
        ics=message.ics,
        ics_method=message.ics_method,
        headers=message.headers,
        batch=message.batch,
        compose=message.compose,
    )
