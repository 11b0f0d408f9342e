"""Reading registrations: the waiting-list order, who is still active, a lookup by address.

One home for each of these rules; the sign-up service, the emails and the staff lists and
exports all call them, so a position shown in an email is the one staff see in the export.
"""

from sqlalchemy import bindparam, case, func, select

from app.extensions import db
from app.models import ACTIVE_STATUSES, REGISTRATION_STATUSES, Event, Registration
from app.models import RegistrationStatus as Status


def waitlist_rank():
    """Place in its event's queue among registrations of the same status, by ticket.

    For a waitlisted registration this is its waiting-list position (1 = next to get a seat,
    no gaps for people who left the queue); for other statuses the number means nothing.
    """
    return func.row_number().over(
        partition_by=(Registration.event_id, Registration.status),
        order_by=(Registration.waitlist_ticket, Registration.id),
    )


def waitlist_position_column():
    """The waiting-list position as a column: the rank for waitlisted rows, else NULL."""
    return case((Registration.status == Status.WAITLISTED, waitlist_rank()))


def status_order():
    """Sort key for lists: confirmed first, then the waiting list, then cancelled."""
    return case(
        {name: n for n, name in enumerate(REGISTRATION_STATUSES)}, value=Registration.status
    )


def waitlist_positions(event: Event, registration_ids: list[int]) -> dict[int, int]:
    """{registration id: waitlist position} for those of `registration_ids` that are waiting."""
    if not registration_ids:
        return {}
    ranked = (
        select(Registration.id, waitlist_rank().label("position"))
        .where(Registration.event_id == event.id, Registration.status == Status.WAITLISTED)
        .subquery()
    )
    query = select(ranked.c.id, ranked.c.position).where(ranked.c.id.in_(registration_ids))
    return dict(db.session.execute(query).all())


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first in the queue, counting only people still waiting (no gaps)."""
    if registration.status != Status.WAITLISTED or registration.waitlist_ticket is None:
        return None
    event = registration.event
    return waitlist_positions(event, [registration.id]).get(registration.id)


def active_registrations(event: Event, *, applications: bool = False) -> list[Registration]:
    """Everyone still expecting to come or waiting for a seat (and, with `applications`, those
    waiting for a decision), in a stable order."""
    statuses = (*ACTIVE_STATUSES, Status.PENDING) if applications else ACTIVE_STATUSES
    return db.session.scalars(
        select(Registration)
        .where(Registration.event_id == event.id, Registration.status.in_(statuses))
        .order_by(Registration.id)
    ).all()


def find_registration(
    event: Event, email_normalized: str, lock: bool = False
) -> Registration | None:
    """The event's registration for this (normalised) address, in any status; with `lock`,
    its row locked until the commit (PostgreSQL; SQLite's writers take turns anyway)."""
    query = REGISTRATION_BY_ADDRESS.with_for_update() if lock else REGISTRATION_BY_ADDRESS
    return db.session.scalar(query, {"event_id": event.id, "email": email_normalized})


# Built once (see app/site/queries.py, PUBLIC_EVENT_BY_SLUG): every sign-up asks.
REGISTRATION_BY_ADDRESS = select(Registration).where(
    Registration.event_id == bindparam("event_id"),
    Registration.email_normalized == bindparam("email"),
)
