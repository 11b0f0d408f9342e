"""Reading attendee lists: counts per status, search and filter, waitlist positions."""

from dataclasses import dataclass

from sqlalchemy import case, func, or_, select

from app.extensions import db
from app.models import REGISTRATION_STATUSES, Event, Registration
from app.models import RegistrationStatus as Status
from app.registration.queries import status_order

PER_PAGE = 50
SHEET_PER_PAGE = 1000


@dataclass(frozen=True)
class AttendeeCounts:
    capacity: int | None
    seats_taken: int
    confirmed: int
    waitlisted: int
    cancelled: int

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


def attendee_counts(event: Event) -> AttendeeCounts:
    query = (
        select(Registration.status, func.count())
        .where(Registration.event_id == event.id)
        .group_by(Registration.status)
    )
    by_status = dict(db.session.execute(query).all())
    return AttendeeCounts(
        capacity=event.capacity,
        seats_taken=event.seats_taken,
        confirmed=by_status.get("confirmed", 0),
        waitlisted=by_status.get("waitlisted", 0),
        cancelled=by_status.get("cancelled", 0),
    )


def attendee_list(event: Event, search: str = "", status: str = ""):
    """A select of the event's registrations, matching `search` in name, email or company and
    having `status` when given; confirmed first, then the queue in order, then cancelled."""
    query = select(Registration).where(Registration.event_id == event.id)
    if search:
        query = query.where(
            or_(
                Registration.name.icontains(search, autoescape=True),
                Registration.email.icontains(search, autoescape=True),
                Registration.company.icontains(search, autoescape=True),
            )
        )
    if status in REGISTRATION_STATUSES:
        query = query.where(Registration.status == status)
    queue_order = case((Registration.status == Status.WAITLISTED, Registration.waitlist_ticket))
    return query.order_by(
        status_order(), queue_order, func.lower(Registration.name), Registration.id
    )
