"""Attendee lists and what staff do with one registration.

Reading: counts per status, search and filter, the list's order. Acting: cancel, promote from
the waitlist, check in. Seats and the waitlist follow the registration service's rules; this
module adds the checks staff need and writes the audit log. Each action flushes; the view commits.
"""

from dataclasses import dataclass

from sqlalchemy import bindparam, case, func, or_, select

from app.db import utcnow
from app.extensions import db
from app.models import Event, Registration
from app.models import RegistrationStatus as Status
from app.registration.approval import NotPending
from app.registration.approval import approve as approve_application
from app.registration.approval import decline as decline_application
from app.registration.queries import status_order
from app.registration.service import AlreadyCancelled, cancel_registration, promote_registration
from app.staff.services import audit

PER_PAGE = 50
SHEET_PER_PAGE = 1000

# What the list shows of each registration; the other columns are not read for it.
LISTED = (
    Registration.id,
    Registration.name,
    Registration.job_title,
    Registration.email,
    Registration.company,
    Registration.status,
    Registration.registered_at,
    Registration.checked_in_at,
)

AUDITED = ("status", "waitlist_ticket", "promoted_at", "cancelled_at", "checked_in_at")


# AttendeeCounts' field for each status.
STATUS_FIELDS = {
    Status.CONFIRMED: "confirmed",
    Status.WAITLISTED: "waitlisted",
    Status.CANCELLED: "cancelled",
    Status.PENDING: "pending",
    Status.DECLINED: "declined",
}


@dataclass(frozen=True)
class AttendeeCounts:
    capacity: int | None
    seats_taken: int
    confirmed: int
    waitlisted: int
    cancelled: int
    pending: int = 0
    declined: int = 0
    total: int = 0

    def having(self, status: str = "") -> int:
        """How many registrations have `status` (one of REGISTRATION_STATUSES), or any when ""."""
        return getattr(self, STATUS_FIELDS[status]) if status else self.total

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.seats_taken)


def status_counts_by_event() -> dict[int, dict[str, int]]:
    """{event id: {status: number of registrations}} for every event, in one query."""
    query = select(Registration.event_id, Registration.status, func.count()).group_by(
        Registration.event_id, Registration.status
    )
    counts: dict[int, dict[str, int]] = {}
    for event_id, status, number in db.session.execute(query):
        counts.setdefault(event_id, {})[status] = number
    return counts


# Built once (see app/site/queries.py, PUBLIC_EVENT_BY_SLUG), with the event's id (and the
# status) bound at execution: every attendee list counts and lists.
COUNTS_BY_STATUS = (
    select(Registration.status, func.count())
    .where(Registration.event_id == bindparam("event_id"))
    .group_by(Registration.status)
)


LIST_ALL = (
    select(*LISTED)
    .where(Registration.event_id == bindparam("event_id"))
    .order_by(
        status_order(),
        case((Registration.status == Status.WAITLISTED, Registration.waitlist_ticket)),
        func.lower(Registration.name),
        Registration.id,
    )
)
LIST_BY_STATUS = LIST_ALL.where(Registration.status == bindparam("status"))


def attendee_counts(event: Event) -> AttendeeCounts:
    by_status = dict(db.session.execute(COUNTS_BY_STATUS, {"event_id": event.id}).all())
    return AttendeeCounts(
        capacity=event.capacity,
        seats_taken=event.seats_taken,
        confirmed=by_status.get(Status.CONFIRMED, 0),
        waitlisted=by_status.get(Status.WAITLISTED, 0),
        cancelled=by_status.get(Status.CANCELLED, 0),
        pending=by_status.get(Status.PENDING, 0),
        declined=by_status.get(Status.DECLINED, 0),
        total=sum(by_status.values()),
    )


def attendee_list(search: str = "", status: str = ""):
    """A select of the LISTED columns of an event's registrations (rows, not ORM objects:
    loading 50 objects cost more than the rest of the page's queries together), matching
    `search` in name, email or company and having `status` (one of REGISTRATION_STATUSES)
    when given; confirmed first, then the queue in order, then cancelled. Execute it with
    {"event_id": …, "status": …}."""
    if not search:
        return LIST_BY_STATUS if status else LIST_ALL
    query = LIST_ALL.where(
        or_(
            Registration.name.icontains(search, autoescape=True),
            Registration.email.icontains(search, autoescape=True),
            Registration.company.icontains(search, autoescape=True),
        )
    )
    return query.where(Registration.status == bindparam("status")) if status else query


def find_attendee(event: Event, registration_id: int) -> Registration | None:
    """The registration with this id, if it belongs to `event`."""
    query = select(Registration).where(
        Registration.id == registration_id, Registration.event_id == event.id
    )
    return db.session.scalar(query)


class AttendeeError(ValueError):
    """An action that does not apply to this registration now; the message says why."""


def cancel(registration: Registration) -> str:
    """Cancel a confirmed or waitlisted registration (a freed seat goes to the waitlist)."""
    if registration.status == Status.CANCELLED:
        raise AttendeeError(f"{registration.name}’s registration was already cancelled.")
    before = audit.snapshot(registration, AUDITED)
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
    if registration.status != Status.WAITLISTED:
        raise AttendeeError(f"{registration.name} is not on the waiting list.")
    before = audit.snapshot(registration, AUDITED)
    if not promote_registration(registration):
        raise AttendeeError(f"No seat is free for {registration.name}: raise the capacity first.")
    _record("registration.promote", registration, f"Promoted {registration.name}", before)
    return f"{registration.name} now has a seat."


def approve(registration: Registration) -> str:
    """Approve an application: a seat, or the waiting list when full (the message says which).

    :raises AttendeeError: not pending any more, or full with no waiting list.
    """
    before = audit.snapshot(registration, AUDITED)
    name = registration.name
    try:
        outcome = approve_application(registration).outcome
    except NotPending:
        raise AttendeeError(f"{name}’s application was already decided or withdrawn.") from None
    if outcome == "full":
        raise AttendeeError(
            f"No seat is free for {name} and the event keeps no waiting list: "
            "raise the capacity first."
        )
    _record("registration.approve", registration, f"Approved {name} ({outcome})", before)
    if outcome == Status.WAITLISTED:
        return f"Approved {name}, but the event is full: they are on the waiting list."
    return f"Approved {name}: the seat is theirs."


def decline(registration: Registration, note: str = "") -> str:
    """Decline an application, with staff's note in the email. :raises AttendeeError: decided."""
    before = audit.snapshot(registration, AUDITED)
    name = registration.name
    try:
        decline_application(registration, note)
    except NotPending:
        raise AttendeeError(f"{name}’s application was already decided or withdrawn.") from None
    _record("registration.decline", registration, f"Declined {name}", before)
    return f"Declined {name}’s application."


def toggle_check_in(registration: Registration) -> str:
    """Mark a confirmed attendee as arrived, or undo it. :raises AttendeeError: not confirmed."""
    if registration.status != Status.CONFIRMED:
        raise AttendeeError(f"Only confirmed attendees can be checked in ({registration.name}).")
    before = audit.snapshot(registration, AUDITED)
    registration.checked_in_at = None if registration.checked_in_at else utcnow()
    arrived = registration.checked_in_at is not None
    verb = "Checked in" if arrived else "Undid check-in of"
    _record("registration.check_in", registration, f"{verb} {registration.name}", before)
    return f"{verb} {registration.name}."


def _record(action: str, registration: Registration, summary: str, before: dict) -> None:
    after = audit.snapshot(registration, AUDITED)
    audit.record(action, registration, summary, audit.changed_fields(before, after))


def record_staff_answers(registration: Registration, changes: dict) -> None:
    """Audit staff's answers to staff-only questions: {label: (before, after)}."""
    audit.record(
        "registration.staff_answers",
        registration,
        f"Filled in staff answers for {registration.name}",
        {label: {"before": old, "after": new} for label, (old, new) in changes.items()},
    )
