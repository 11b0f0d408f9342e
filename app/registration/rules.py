"""When an event takes registrations: one rule, shown on the event page and enforced on POST."""

from dataclasses import dataclass
from datetime import datetime

from app.db import utcnow
from app.models import Event, EventStatus


@dataclass(frozen=True)
class RegistrationState:
    open: bool
    # For a closed event, the sentence to show; for an open one, what a sign-up gets.
    message: str
    waitlist_only: bool = False


def registration_state(event: Event, now: datetime | None = None) -> RegistrationState:
    """Whether `event` takes sign-ups at `now`, and the plain words to tell the visitor."""
    now = now or utcnow()
    if event.status == EventStatus.CANCELLED:
        return RegistrationState(False, "This event has been cancelled.")
    if event.status != EventStatus.PUBLISHED:
        return RegistrationState(False, "Registration is not open for this event.")
    if event.starts_at <= now:
        return RegistrationState(False, "Registration is closed: this event has already started.")
    if event.registration_opens_at and now < event.registration_opens_at:
        return RegistrationState(False, "Registration has not opened yet.")
    if event.registration_closes_at and now >= event.registration_closes_at:
        return RegistrationState(False, "Registration is closed.")
    if event.seats_left == 0:
        if not event.waitlist_enabled:
            return RegistrationState(False, "This event is full and has no waiting list.")
        return RegistrationState(True, "This event is full: you can join the waiting list.", True)
    return RegistrationState(True, "Registration is open.")
