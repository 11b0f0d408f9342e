"""Staff actions on one registration: cancel, promote from the waitlist, check in.

Seats and the waitlist follow the registration service's rules; this module adds the checks
staff need and writes the audit log. Each function flushes; the view commits.
"""

from app.db import utcnow
from app.models import Registration
from app.registration.service import AlreadyCancelled, cancel_registration, promote_registration
from app.staff import audit_log

AUDITED = ("status", "waitlist_ticket", "promoted_at", "cancelled_at", "checked_in_at")


class AttendeeError(ValueError):
    """An action that does not apply to this registration now; the message says why."""


def cancel(registration: Registration) -> str:
    """Cancel a confirmed or waitlisted registration (a freed seat goes to the waitlist)."""
    if registration.status == "cancelled":
        raise AttendeeError(f"{registration.name}’s registration was already cancelled.")
    before = audit_log.snapshot(registration, AUDITED)
    try:
        promoted = cancel_registration(registration)
    except AlreadyCancelled:
        raise AttendeeError(f"{registration.name}’s registration was already cancelled.") from None
    _record("registration.cancel", registration, f"Cancelled {registration.name}", before)
    if promoted is not None:
        return f"Cancelled {registration.name}’s registration; {promoted.name} got the seat."
    return f"Cancelled {registration.name}’s registration."


def promote(registration: Registration) -> str:
    """Give a waitlisted attendee a free seat. :raises AttendeeError: not waiting, or no seat."""
    if registration.status != "waitlisted":
        raise AttendeeError(f"{registration.name} is not on the waiting list.")
    before = audit_log.snapshot(registration, AUDITED)
    if not promote_registration(registration):
        raise AttendeeError(f"No seat is free for {registration.name}: raise the capacity first.")
    _record("registration.promote", registration, f"Promoted {registration.name}", before)
    return f"{registration.name} now has a seat."


def toggle_check_in(registration: Registration) -> str:
    """Mark a confirmed attendee as arrived, or undo it. :raises AttendeeError: not confirmed."""
    if registration.status != "confirmed":
        raise AttendeeError(f"Only confirmed attendees can be checked in ({registration.name}).")
    before = audit_log.snapshot(registration, AUDITED)
    registration.checked_in_at = None if registration.checked_in_at else utcnow()
    arrived = registration.checked_in_at is not None
    verb = "Checked in" if arrived else "Undid check-in of"
    _record("registration.check_in", registration, f"{verb} {registration.name}", before)
    return f"{verb} {registration.name}."


def _record(action: str, registration: Registration, summary: str, before: dict) -> None:
    after = audit_log.snapshot(registration, AUDITED)
    audit_log.record(action, registration, summary, audit_log.changed_fields(before, after))
