"""Personal agendas: the sessions an attendee will attend, and workshop seats.

A session with a capacity of its own hands out seats by one conditional UPDATE (success = one
row changed), like the event's seats (app/registration/service.py's take_seat), so concurrent
bookings never exceed it on SQLite or PostgreSQL. Functions flush; the caller commits.
"""

from dataclasses import dataclass, field

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from app.db import SEAT_COUNTER
from app.extensions import db
from app.models import (
    AgendaChoice,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
    SessionStatus,
)
from app.models.programme import event_programme


@dataclass
class AgendaResult:
    """What saving an agenda came to: sessions added, removed, and those that were full."""

    added: list[ProgrammeSession] = field(default_factory=list)
    removed: list[ProgrammeSession] = field(default_factory=list)
    full: list[ProgrammeSession] = field(default_factory=list)

    @property
    def message(self) -> str:
        """The sentence the attendee reads about the sessions that could not be booked."""
        if not self.full:
            return ""
        titles = ", ".join(f"“{session.title}”" for session in self.full)
        verb = "is" if len(self.full) == 1 else "are"
        return f"Sorry, {titles} {verb} full: the last seat has been taken."


def chosen_sessions(registration: Registration) -> list[ProgrammeSession]:
    """The attendee's agenda, in programme order."""
    return list(
        db.session.scalars(
            select(ProgrammeSession)
            .join(AgendaChoice, AgendaChoice.session_id == ProgrammeSession.id)
            .where(AgendaChoice.registration_id == registration.id)
            .order_by(ProgrammeSession.starts_at, ProgrammeSession.id)
        )
    )


def can_choose(registration: Registration) -> bool:
    """Only people holding a seat at the event choose sessions (and workshop seats)."""
    return registration.status == RegistrationStatus.CONFIRMED


def take_session_seat(session: ProgrammeSession) -> bool:
    """One seat of a session with its own capacity: one conditional UPDATE, true when taken."""
    result = db.session.execute(
        update(ProgrammeSession)
        .where(
            ProgrammeSession.id == session.id,
            ProgrammeSession.status == SessionStatus.SCHEDULED,
            (ProgrammeSession.capacity.is_(None))
            | (ProgrammeSession.seats_taken < ProgrammeSession.capacity),
        )
        .values(
            seats_taken=ProgrammeSession.seats_taken + 1,
            # A booking is not an edit: the calendar's DTSTAMP and the batching clock stay.
            updated_at=ProgrammeSession.updated_at,
        )
        .execution_options(**SEAT_COUNTER)
    )
    db.session.expire(session, ["seats_taken"])
    return result.rowcount == 1


def release_session_seat(session_id: int) -> None:
    db.session.execute(
        update(ProgrammeSession)
        .where(ProgrammeSession.id == session_id, ProgrammeSession.seats_taken > 0)
        .values(
            seats_taken=ProgrammeSession.seats_taken - 1, updated_at=ProgrammeSession.updated_at
        )
        .execution_options(**SEAT_COUNTER)
    )


def set_agenda(registration: Registration, wanted_ids: set[int]) -> AgendaResult:
    """Make the attendee's agenda the sessions in `wanted_ids` (of their event).

    Removed sessions free their seats; added ones take one each where there is a capacity.
    Sessions are handled in id order, so two bookings at once never wait on each other in
    opposite orders (no deadlock on PostgreSQL).
    :raises ValueError: the registration holds no seat, or an id is not a session one may choose.
    """
    if not can_choose(registration):
        raise ValueError("Only confirmed attendees can choose sessions.")
    sessions = {session.id: session for session in event_programme(registration.event)}
    chosen = {session.id for session in chosen_sessions(registration)}
    unknown = wanted_ids - sessions.keys()
    newly_cancelled = {i for i in wanted_ids - chosen if i in sessions and sessions[i].cancelled}
    if unknown or newly_cancelled:
        raise ValueError("Choose sessions from the programme.")
    result = AgendaResult()
    for session_id in sorted(chosen - wanted_ids):
        drop_choice(registration, session_id)
        result.removed.append(sessions[session_id])
    for session_id in sorted(wanted_ids - chosen):
        session = sessions[session_id]
        if add_choice(registration, session):
            result.added.append(session)
        else:
            result.full.append(session)
    return result


def add_choice(registration: Registration, session: ProgrammeSession) -> bool:
    """Book the session for the attendee; false when it is full (nothing written)."""
    try:
        # A savepoint: the same attendee saving twice at once undoes only this booking.
        with db.session.begin_nested():
            if not take_session_seat(session):
                return False
            db.session.add(AgendaChoice(registration_id=registration.id, session_id=session.id))
            db.session.flush()
    except IntegrityError:
        return True  # chosen a moment ago in another request: the seat taken here is undone
    return True


def drop_choice(registration: Registration, session_id: int) -> None:
    removed = db.session.execute(
        delete(AgendaChoice)
        .where(
            AgendaChoice.registration_id == registration.id,
            AgendaChoice.session_id == session_id,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if removed == 1:
        release_session_seat(session_id)


def release_agenda(registration: Registration) -> None:
    """The attendee cancelled the event: every session seat they held is freed."""
    session_ids = db.session.scalars(
        select(AgendaChoice.session_id)
        .where(AgendaChoice.registration_id == registration.id)
        .order_by(AgendaChoice.session_id)
    ).all()
    for session_id in session_ids:
        drop_choice(registration, session_id)
