"""Outgoing mail for staff: the list by status, and what staff may do with a message: retry
it, or fix an attendee's address and resend."""

from sqlalchemy import Select, select

from app.addresses import normalize_email
from app.extensions import db
from app.models import OUTBOX_STATUSES, OutboxMessage, OutboxStatus, Registration
from app.outbox.queue import copy_to, retry_now
from app.registration.queries import find_registration
from app.staff.services import audit

PER_PAGE = 50


class OutboxError(ValueError):
    """An outbox action that cannot be done; the message says why."""


def outbox_list(status: str = "") -> Select:
    """A select of the messages, newest first; only those with `status` when it is one."""
    query = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    if status in OUTBOX_STATUSES:
        query = query.where(OutboxMessage.status == status)
    return query


def has_failed_mail() -> bool:
    """Whether any message was given up on (the dashboard warns about it)."""
    failed = select(OutboxMessage.id).where(OutboxMessage.status == OutboxStatus.FAILED).limit(1)
    return db.session.scalar(failed) is not None


def registration_of(message: OutboxMessage) -> Registration | None:
    """The registration the message was sent about, if any."""
    if not message.registration_id:
        return None
    return db.session.get(Registration, message.registration_id)


def retry(message: OutboxMessage) -> None:
    """Make the message due now. :raises OutboxError: it was already sent."""
    before = message.status
    try:
        retry_now(message)
    except ValueError as error:
        raise OutboxError(str(error)) from None
    audit.record(
        "outbox.retry",
        message,
        f"Retried “{message.subject}” to {message.to_address}",
        {"status": {"before": before, "after": message.status}},
    )


def correct_and_resend(message: OutboxMessage, new_address: str) -> OutboxMessage:
    """Send a copy to `new_address` and, when the message is an attendee's, store it as their
    address too. :raises OutboxError: invalid address, or already used for the same event."""
    try:
        address, normalized = normalize_email(new_address)
    except ValueError as error:
        raise OutboxError(str(error) or "That email address is not valid.") from None
    changes = {"to_address": {"before": message.to_address, "after": address}}
    registration = registration_of(message)
    if registration is not None and registration.email_normalized != normalized:
        taken = find_registration(registration.event, normalized)
        if taken is not None and taken.id != registration.id:
            raise OutboxError("Another registration for this event already uses that address.")
        changes["registration_email"] = {"before": registration.email, "after": address}
        registration.email, registration.email_normalized = address, normalized
    copy = copy_to(message, address)
    audit.record(
        "outbox.resend",
        message,
        f"Resent “{message.subject}” to {address} (was {message.to_address})",
        changes,
    )
    return copy
