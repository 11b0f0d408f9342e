"""What staff may do with outgoing mail: retry it, or fix an attendee's address and resend."""

from app.addresses import normalize_email
from app.extensions import db
from app.models import OutboxMessage, Registration
from app.outbox.queue import copy_to, retry_now
from app.registration.queries import find_registration
from app.staff import audit_log


class OutboxError(ValueError):
    """An outbox action that cannot be done; the message says why."""


def retry(message: OutboxMessage) -> None:
    """Make the message due now. :raises OutboxError: it was already sent."""
    before = message.status
    try:
        retry_now(message)
    except ValueError as error:
        raise OutboxError(str(error)) from None
    audit_log.record(
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
    registration = (
        db.session.get(Registration, message.registration_id) if message.registration_id else None
    )
    if registration is not None and registration.email_normalized != normalized:
        taken = find_registration(registration.event, normalized)
        if taken is not None and taken.id != registration.id:
            raise OutboxError("Another registration for this event already uses that address.")
        changes["registration_email"] = {"before": registration.email, "after": address}
        registration.email, registration.email_normalized = address, normalized
    copy = copy_to(message, address)
    audit_log.record(
        "outbox.resend",
        message,
        f"Resent “{message.subject}” to {address} (was {message.to_address})",
        changes,
    )
    return copy
