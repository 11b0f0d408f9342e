"""What the public programme, speaker pages and calendars show: sessions grouped by local day,
speakers with their sessions (upcoming first), the JSON-LD sub-events. Nothing here writes."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.db import utcnow
from app.extensions import db
from app.models import Author, Event, ProgrammeSession, session_speaker
from app.models.content import public_clause
from app.site.queries import visible_events
from app.templating import iso, zone_label
from app.urls import site_url_for


@dataclass(frozen=True)
class ProgrammeDay:
    day: date
    zone: str  # 'Europe/Berlin, CEST': the zone as it is on this day (DST named)
    sessions: list[ProgrammeSession]


def by_day(event: Event, sessions: list[ProgrammeSession]) -> list[ProgrammeDay]:
    """Sessions grouped by the local day they start on, in the event's zone."""
    days: dict[date, list[ProgrammeSession]] = {}
    for session in sessions:
        days.setdefault(session.local_starts_at.date(), []).append(session)
    return [
        ProgrammeDay(day, zone_label(group[0].starts_at, event.timezone), group)
        for day, group in days.items()
    ]


def next_sessions(sessions: list[ProgrammeSession], limit: int = 3) -> list[ProgrammeSession]:
    """The next few sessions still to come (not cancelled), for the event page."""
    now = utcnow()
    return [s for s in sessions if s.ends_at >= now and not s.cancelled][:limit]


def speakers_of(sessions: list[ProgrammeSession]) -> list[Author]:
    seen: dict[int, Author] = {}
    for session in sessions:
        for speaker in session.speakers:
            seen.setdefault(speaker.id, speaker)
    return sorted(seen.values(), key=lambda author: author.name)


def person_ld(author: Author) -> dict:
    data = {
        "@type": "Person",
        "name": author.name,
        "url": site_url_for("site.speaker", slug=author.slug),
    }
    if author.role:
        data["jobTitle"] = author.role
    if author.organisation:
        data["affiliation"] = {"@type": "Organization", "name": author.organisation}
    return data


def event_ld_extras(event: Event, sessions: list[ProgrammeSession]) -> dict:
    """schema.org additions to the Event JSON-LD: sessions as subEvent, speakers as performer."""
    if not sessions:
        return {}
    sub_events = []
    for session in sessions:
        sub = {
            "@type": "Event",
            "name": session.title,
            "startDate": iso(session.local_starts_at),
            "endDate": iso(session.local_ends_at),
            "eventStatus": "https://schema.org/EventCancelled"
            if session.cancelled
            else "https://schema.org/EventScheduled",
            "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
            "location": {"@type": "Place", "name": session.room or event.venue},
            "url": site_url_for("site.programme", slug=event.slug) + f"#session-{session.id}",
        }
        if session.speakers:
            sub["performer"] = [person_ld(speaker) for speaker in session.speakers]
        sub_events.append(sub)
    extras = {"subEvent": sub_events}
    performers = speakers_of(sessions)
    if performers:
        extras["performer"] = [person_ld(speaker) for speaker in performers]
    return extras


def visible_session_filter():
    """Sessions of events the public may see."""
    return ProgrammeSession.event_id.in_(
        select(Event.id).where(public_clause(Event)).scalar_subquery()
    )


def all_speakers() -> list[Author]:
    """People speaking at a session of a public event, by name."""
    query = (
        select(Author)
        .join(session_speaker, session_speaker.c.author_id == Author.id)
        .join(ProgrammeSession, ProgrammeSession.id == session_speaker.c.session_id)
        .where(visible_session_filter())
        .group_by(Author.id)
        .order_by(Author.name)
    )
    return list(db.session.scalars(query))


def speaker_sessions(author: Author) -> tuple[list[ProgrammeSession], list[ProgrammeSession]]:
    """(upcoming, past) sessions of a speaker at public events: upcoming soonest first."""
    sessions = db.session.scalars(
        select(ProgrammeSession)
        .join(session_speaker, session_speaker.c.session_id == ProgrammeSession.id)
        .where(session_speaker.c.author_id == author.id, visible_session_filter())
        .options(selectinload(ProgrammeSession.event))
        .order_by(ProgrammeSession.starts_at)
    ).all()
    now = utcnow()
    upcoming = [s for s in sessions if s.ends_at >= now]
    past = [s for s in reversed(sessions) if s.ends_at < now]
    return upcoming, past


def events_with_programme() -> list[Event]:
    """Public events with at least one session, for the sitemap."""
    has_sessions = select(ProgrammeSession.id).where(ProgrammeSession.event_id == Event.id)
    query = visible_events().where(has_sessions.exists()).order_by(Event.starts_at)
    return list(db.session.scalars(query))


def upcoming_for_feed(kind: str | None) -> list[Event]:
    """Upcoming public events for the subscribable calendar, of one kind or all."""
    query = visible_events().where(Event.ends_at >= utcnow()).order_by(Event.starts_at)
    if kind:
        query = query.where(Event.kind == kind)
    return list(db.session.scalars(query))
