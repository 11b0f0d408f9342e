"""The programme editor's rules: sessions within the event's days, ending after they start,
times entered in the event's zone; copying a day; what a change means for people who chose
a session (SEQUENCE raised, an email batched for them)."""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, func, select

from app.db import utcnow
from app.extensions import db
from app.models import AgendaChoice, Author, Event, ProgrammeSession, SessionStatus
from app.models.programme import event_programme
from app.staff.services import audit
from app.staff.services.publishing import EditError, submitted_time, to_utc

SESSION_AUDITED = (
    "title", "kind", "starts_at", "ends_at", "room", "description_md", "capacity", "status",
    "sequence",
)  # fmt: skip
# What attendees' calendars and agendas hold: a change to any of these tells them.
CALENDAR_FIELDS = ("title", "starts_at", "ends_at", "room", "status")
PLAIN_FIELDS = ("title", "kind", "room", "status")


def find_session(event: Event, session_id: int) -> ProgrammeSession | None:
    return db.session.scalar(
        select(ProgrammeSession).where(
            ProgrammeSession.id == session_id, ProgrammeSession.event_id == event.id
        )
    )


def speaker_choices() -> list[tuple[int, str]]:
    """Every person who may speak (an author record), by name."""
    rows = db.session.execute(select(Author.id, Author.name).order_by(Author.name)).all()
    return [(row.id, row.name) for row in rows]


def event_days(event: Event) -> list[date]:
    """The local calendar days the event spans, in its own zone."""
    first, last = event.local_starts_at.date(), event.local_ends_at.date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def day_bounds(event: Event) -> tuple[datetime, datetime]:
    """UTC start of the event's first local day and end of its last: where sessions may lie."""
    days = event_days(event)
    zone = event.zone
    start = datetime.combine(days[0], time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(days[-1] + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def days_text(event: Event) -> str:
    days = event_days(event)
    first = f"{days[0].day} {days[0]:%B %Y}"
    if len(days) == 1:
        return first
    return f"{first} to {days[-1].day} {days[-1]:%B %Y}"


def chosen_count(session: ProgrammeSession) -> int:
    return db.session.scalar(select(func.count()).where(AgendaChoice.session_id == session.id))


def save_session(event: Event, session: ProgrammeSession | None, values: dict) -> ProgrammeSession:
    """Create (session=None) or update a session from editor values; flushes, never commits.

    A move, a new title or a cancellation raises SEQUENCE and, when attendees chose the
    session, marks it for the batched change email (app/registration/programme_emails.py).
    :raises EditError: times outside the event's days or in the wrong order, a local time
        that does not exist, a capacity below the seats taken, an unknown speaker.
    """
    creating = session is None
    if creating:
        session = ProgrammeSession(event=event, seats_taken=0, sequence=0)
    else:
        lock_session(session)
    before = {} if creating else audit.snapshot(session, SESSION_AUDITED)
    errors: dict[str, str] = {}
    times = {}
    for field in ("starts_at", "ends_at"):
        try:
            times[field] = submitted_time(
                values.get(field), getattr(session, field, None), event.timezone, field
            )
        except EditError as error:
            errors.update(error.errors)
    errors.update(time_errors(event, times.get("starts_at"), times.get("ends_at")))
    capacity = values.get("capacity")
    if capacity is not None and capacity < (session.seats_taken or 0):
        errors["capacity"] = (
            f"{session.seats_taken} people have booked this session: the capacity cannot be lower."
        )
    speakers = speakers_for(values.get("speaker_ids") or [], errors)
    if errors:
        raise EditError(errors)

    for field in PLAIN_FIELDS:
        setattr(session, field, values[field])
    session.starts_at, session.ends_at = times["starts_at"], times["ends_at"]
    session.capacity = capacity
    session.speakers = speakers
    if creating or values.get("description", "") != session.description_md:
        session.set_description(values.get("description") or "")
    if creating:
        db.session.add(session)
    db.session.flush()
    after = audit.snapshot(session, SESSION_AUDITED)
    if not creating:
        note_calendar_change(session, before, after)
        after = audit.snapshot(session, SESSION_AUDITED)
    audit.record_save("session", session, session.title, creating, before, after)
    return session


def lock_session(session: ProgrammeSession) -> None:
    """Hold the session row until commit and read its current bookings, so a booking in
    another process cannot slip between the capacity check and the save."""
    db.session.execute(
        select(ProgrammeSession.id).where(ProgrammeSession.id == session.id).with_for_update()
    )
    db.session.refresh(session, ["seats_taken", "sequence", "change_pending_since"])


def time_errors(event: Event, starts_at: datetime | None, ends_at: datetime | None) -> dict:
    """The messages for a session's times: both given, end after start, within the event."""
    errors = {}
    if starts_at is None or ends_at is None:
        return errors  # the form has said which one is missing
    if ends_at <= starts_at:
        errors["ends_at"] = "The end must be after the start."
    first, last = day_bounds(event)
    if starts_at < first or ends_at > last:
        errors["starts_at"] = (
            f"A session must lie within the event's days ({days_text(event)}, "
            f"{event.timezone} time)."
        )
    return errors


def speakers_for(ids: list[int], errors: dict) -> list[Author]:
    speakers = list(db.session.scalars(select(Author).where(Author.id.in_(ids)))) if ids else []
    if len(speakers) != len(set(ids)):
        errors["speaker_ids"] = "Choose speakers from the list."
    return speakers


def note_calendar_change(session: ProgrammeSession, before: dict, after: dict) -> None:
    """A moved, renamed or cancelled session: raise SEQUENCE; if people chose it, batch an email."""
    if all(before.get(field) == after.get(field) for field in CALENDAR_FIELDS):
        return
    session.sequence += 1
    if session.change_pending_since is None and chosen_count(session):
        session.change_pending_since = utcnow()
    db.session.flush()


def remove_session(session: ProgrammeSession) -> str:
    """Delete a session nobody chose; one that attendees chose is cancelled instead, so it
    stays on their agenda marked cancelled and they are told. Returns what happened."""
    if chosen_count(session):
        if session.status == SessionStatus.CANCELLED:
            return "already cancelled"
        before = audit.snapshot(session, SESSION_AUDITED)
        session.status = SessionStatus.CANCELLED
        db.session.flush()
        note_calendar_change(session, before, audit.snapshot(session, SESSION_AUDITED))
        audit.record("session.cancel", session, f"Cancelled session “{session.title}”")
        return "cancelled"
    audit.record("session.delete", session, f"Removed session “{session.title}”")
    db.session.execute(delete(ProgrammeSession).where(ProgrammeSession.id == session.id))
    db.session.expunge(session)
    return "removed"


def copy_day(event: Event, from_day: date, to_day: date) -> int:
    """Copy every session of one of the event's days to another of its days, at the same
    local times, speakers included (no bookings). Returns how many were copied.
    :raises EditError: a day outside the event, the same day twice, a time that does not
        exist on the new day.
    """
    days = event_days(event)
    if from_day not in days or to_day not in days:
        raise EditError({"to_day": f"Choose days of the event ({days_text(event)})."})
    if from_day == to_day:
        raise EditError({"to_day": "Choose a different day to copy to."})
    copied = []
    for source in event_programme(event):
        if source.local_starts_at.date() != from_day:
            continue
        shift = to_day - from_day
        starts = source.local_starts_at.replace(tzinfo=None) + shift
        ends = source.local_ends_at.replace(tzinfo=None) + shift
        copy = ProgrammeSession(
            event=event,
            title=source.title,
            kind=source.kind,
            room=source.room,
            starts_at=to_utc(starts, event.timezone, "to_day"),
            ends_at=to_utc(ends, event.timezone, "to_day"),
            capacity=source.capacity,
            seats_taken=0,
            sequence=0,
            status=source.status,
            speakers=list(source.speakers),
        )
        copy.set_description(source.description_md)
        errors = time_errors(event, copy.starts_at, copy.ends_at)
        if errors:
            raise EditError({"to_day": next(iter(errors.values()))})
        copied.append(copy)
    db.session.add_all(copied)
    db.session.flush()
    if copied:
        audit.record(
            "session.copy_day",
            event,
            f"Copied {len(copied)} sessions from {from_day.isoformat()} to {to_day.isoformat()}",
        )
    return len(copied)
