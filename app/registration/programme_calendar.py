"""Calendar files of the programme: every session of an event, an attendee's agenda, and the
subscribable feed of upcoming events. Stable UIDs; SEQUENCE from the row (raised when it
moves); DTSTAMP from the row's last change, so an unchanged feed is byte-for-byte the same
(a stable ETag for calendar apps that poll)."""

from datetime import datetime

import icalendar

from app.models import Event, ProgrammeSession
from app.registration.calendar import (
    PRODID,
    add_local_time,
    location,
    organizer,
    public_vevent,
    site_host,
    with_zones,
)
from app.urls import site_url_for


def session_uid(session: ProgrammeSession) -> str:
    return f"session-{session.id}@{site_host()}"


def session_vevent(session: ProgrammeSession) -> icalendar.Event:
    """A session in its event's zone, placed at its room within the event's venue."""
    event = session.event
    speakers = ", ".join(speaker.name for speaker in session.speakers)
    description = "\n\n".join(
        part for part in (session.kind_label, speakers and f"With {speakers}", event.title) if part
    )
    place = ", ".join(part for part in (session.room, location(event)) if part)
    vevent = icalendar.Event.new(
        uid=session_uid(session),
        stamp=session.updated_at,
        summary=session.title,
        description=description,
        location=place or None,
        url=site_url_for("site.programme", slug=event.slug),
        sequence=session.sequence,
        status="CANCELLED" if session.cancelled else "CONFIRMED",
        organizer=organizer(),
    )
    add_local_time(vevent, "DTSTART", session.local_starts_at, event.timezone)
    add_local_time(vevent, "DTEND", session.local_ends_at, event.timezone)
    return vevent


def calendar_file(
    name: str, vevents: list[icalendar.Event], spans: dict[str, list[datetime]], method: str
) -> str:
    """A VCALENDAR with the VEVENTs and one VTIMEZONE per zone (`spans`: zone -> local times)."""
    calendar = icalendar.Calendar.new(prodid=PRODID, method=method)
    calendar.pop("UID", None)  # a random one per render would change the ETag of every poll
    calendar.add("X-WR-CALNAME", name)
    for vevent in vevents:
        calendar.add_component(vevent)
    return with_zones(calendar, spans)


def sessions_ics(name: str, event: Event, sessions: list[ProgrammeSession], method: str) -> str:
    """Sessions of one event: its programme, an agenda, or the entries a change email carries."""
    times = [event.local_starts_at, event.local_ends_at]
    for session in sessions:
        times += [session.local_starts_at, session.local_ends_at]
    vevents = [session_vevent(session) for session in sessions]
    return calendar_file(name, vevents, {event.timezone: times}, method)


def programme_ics(event: Event, sessions: list[ProgrammeSession]) -> str:
    return sessions_ics(f"{event.title}: programme", event, sessions, "PUBLISH")


def agenda_ics(event: Event, sessions: list[ProgrammeSession]) -> str:
    return sessions_ics(f"{event.title}: my agenda", event, sessions, "PUBLISH")


def events_feed_ics(name: str, events: list[Event]) -> str:
    """The subscribable calendar of upcoming events (each in its own zone)."""
    spans: dict[str, list[datetime]] = {}
    for event in events:
        spans.setdefault(event.timezone, []).extend([event.local_starts_at, event.local_ends_at])
    return calendar_file(
        name, [public_vevent(event, stamp=event.updated_at) for event in events], spans, "PUBLISH"
    )
