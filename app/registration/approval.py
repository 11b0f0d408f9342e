"""Applications to events that need approval: staff approve (a seat, or the waiting list when
full) or decline. Functions flush; the caller commits, so the change and its email are one
transaction.

Approving takes the seat with the same conditional UPDATE as a sign-up (service.take_seat),
then moves the application out of `pending` with an UPDATE conditional on that status: two
staff approving at once never confirm more people than there are seats, and one application
approved twice at once takes one seat.
"""

from dataclasses import dataclass

from sqlalchemy import update

from app.db import utcnow
from app.extensions import db
from app.models import Registration, RegistrationStatus
from app.registration import emails
from app.registration.service import release_seat, take_seat, take_waitlist_ticket

PENDING = RegistrationStatus.PENDING


class NotPending(ValueError):
    """The application was decided (or withdrawn) already, perhaps a moment ago."""


@dataclass(frozen=True)
class Approval:
    """What approving came to: "confirmed", "waitlisted", or "full" (nothing changed)."""

    outcome: str


def approve(registration: Registration) -> Approval:
    """Approve a pending application: a seat if one is free, else the waiting list, else
    nothing ("full", when the event keeps no waiting list). Queues the email that says which.

    :raises NotPending: when it is no longer pending.
    """
    if registration.status != PENDING:
        raise NotPending("This application was already decided or withdrawn.")
    event = registration.event
    if take_seat(event):
        values = {"status": RegistrationStatus.CONFIRMED, "waitlist_ticket": None}
    elif event.waitlist_enabled:
        ticket = take_waitlist_ticket(event)
        values = {"status": RegistrationStatus.WAITLISTED, "waitlist_ticket": ticket}
    else:
        return Approval("full")
    changed = decide(registration, values)
    if changed != 1:
        if values["status"] == RegistrationStatus.CONFIRMED:
            release_seat(event)  # decided by someone else a moment ago
        raise NotPending("This application was already decided or withdrawn.")
    emails.queue_confirmation(registration, approved=True)
    return Approval(registration.status)


def decline(registration: Registration, note: str = "") -> None:
    """Decline a pending application; the email is kind and carries staff's note, if any.

    :raises NotPending: when it is no longer pending.
    """
    if registration.status != PENDING:
        raise NotPending("This application was already decided or withdrawn.")
    if decide(registration, {"status": RegistrationStatus.DECLINED}) != 1:
        raise NotPending("This application was already decided or withdrawn.")
    emails.queue_declined(registration, note=note)


def decide(registration: Registration, values: dict) -> int:
    """Move the application out of `pending`: rows changed (0 when someone else did first)."""
    changed = db.session.execute(
        update(Registration)
        .where(Registration.id == registration.id, Registration.status == PENDING)
        .values(**values, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(registration)
    return changed
