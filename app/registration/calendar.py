"""Calendar files (iCalendar): one per registration for emails, one public file per event."""

import hashlib
from datetime import UTC, date, datetime, timedelta
from email.utils import parseaddr
from functools import lru_cache
from urllib.parse import urlsplit

import icalendar
from flask import current_app

from app.db import utcnow
from app.models import Event, EventStatus, Registration, RegistrationStatus
from app.registration.tokens import event_url, manage_url

PRODID = "-//Northlight//Events//EN"

# What each registration status looks like in the attendee's calendar.
EVENT_STATUS = {
    RegistrationStatus.CONFIRMED: "CONFIRMED",
    RegistrationStatus.WAITLISTED: "TENTATIVE",
    RegistrationStatus.CANCELLED: "CANCELLED",
}


def site_host() -> str:
    return urlsplit(current_app.config["SITE_URL"]).hostname or "northlight.invalid"


def registration_uid(registration: Registration) -> str:
    """Stable for the life of a registration; derived from its secret, never revealing it."""
    digest = hashlib.sha256(registration.manage_key.encode()).hexdigest()[:24]
    return f"registration-{digest}@{site_host()}"


def event_uid(event: Event) -> str:
    return f"event-{event.id}@{site_host()}"


def location(event: Event) -> str:
    parts = (event.venue, event.address, event.city, event.country)
    return ", ".join(part for part in parts if part)


def organizer() -> icalendar.vCalAddress:
    name, address = parseaddr(current_app.config.get("MAIL_DEFAULT_SENDER") or "")
    organizer = icalendar.vCalAddress(f"mailto:{address or 'events@' + site_host()}")
    organizer.params["CN"] = name or current_app.config.get("SITE_NAME", "Northlight")
    return organizer


def calendar_event(
    event: Event, *, uid: str, status: str, description: str, stamp: datetime | None = None
) -> icalendar.Event:
    """A VEVENT in the event's own time zone, with the event's SEQUENCE (raised on changes).

    `stamp` (DTSTAMP) defaults to now; feeds that calendar apps poll pass the row's last
    change instead, so an unchanged feed is byte for byte the same (ETag, 304).
    """
    vevent = icalendar.Event.new(
        uid=uid,
        stamp=stamp or utcnow(),
        summary=event.title,
        description=description,
        location=location(event) or None,
        url=event_url(event),
        sequence=event.sequence,
        status=status,
        organizer=organizer(),
    )
    add_local_time(vevent, "DTSTART", event.local_starts_at, event.timezone)
    add_local_time(vevent, "DTEND", event.local_ends_at, event.timezone)
    return vevent


def is_utc(zone: str) -> bool:
    return zone in ("UTC", "Etc/UTC", "Etc/Universal", "Universal", "Zulu")


def add_local_time(vevent: icalendar.Event, name: str, local: datetime, zone: str) -> None:
    """DTSTART/DTEND as wall-clock time with the event's TZID.

    Written out by hand because icalendar turns zones that equal UTC today (Iceland's, say)
    into plain UTC, and a calendar should keep the zone the organisers chose.
    """
    if is_utc(zone):
        vevent.add(name, local.astimezone(UTC))
    else:
        vevent.add(name, local.replace(tzinfo=None), parameters={"TZID": zone})


def wrap(vevent: icalendar.Event, method: str, event: Event) -> str:
    calendar = icalendar.Calendar.new(prodid=PRODID, method=method)
    calendar.add_component(vevent)
    local_times = [event.local_starts_at, event.local_ends_at]
    return with_zones(calendar, {event.timezone: local_times})


CALENDAR_END = "END:VCALENDAR\r\n"


def with_zones(calendar: icalendar.Calendar, spans: dict[str, list[datetime]]) -> str:
    """The calendar as text, with a VTIMEZONE after its other components for each zone other
    than UTC in `spans` (zone -> local times in it), covering a year either side of them, so
    every client places the times right."""
    zones = []
    for zone, times in sorted(spans.items()):
        if times and not is_utc(zone):
            first_date = min(times).date() - timedelta(days=366)
            last_date = max(times).date() + timedelta(days=366)
            zones.append(vtimezone_text(zone, first_date, last_date))
    text = calendar.to_ical().decode("utf-8")
    return text.removesuffix(CALENDAR_END) + "".join(zones) + CALENDAR_END


@lru_cache(maxsize=256)
def vtimezone_text(zone: str, first_date: date, last_date: date) -> str:
    """The zone's rules between the two dates, worked out and written once per process: every
    email about an event carries the same one. Working it out took up to 9 ms (Reykjavík,
    whose offset never changes, is the slowest), writing it out half of a registration's
    calendar file (0.16 ms)."""
    timezone = icalendar.Timezone.from_tzid(zone, first_date=first_date, last_date=last_date)
    return timezone.to_ical().decode("utf-8")


def registration_ics(registration: Registration, method: str = "REQUEST") -> str:
    """The attendee's own calendar entry (METHOD REQUEST), or its withdrawal (METHOD CANCEL)."""
    event = registration.event
    cancelled = method == "CANCEL" or event.status == EventStatus.CANCELLED
    status = "CANCELLED" if cancelled else EVENT_STATUS.get(registration.status, "CONFIRMED")
    description = "\n\n".join(
        part for part in (event.summary, f"Your registration: {manage_url(registration)}") if part
    )
    vevent = calendar_event(
        event, uid=registration_uid(registration), status=status, description=description
    )
    attendee = icalendar.vCalAddress(f"mailto:{registration.email}")
    attendee.params["CN"] = registration.name
    attendee.params["ROLE"] = "REQ-PARTICIPANT"
    attendee.params["PARTSTAT"] = "DECLINED" if cancelled else "ACCEPTED"
    attendee.params["RSVP"] = "FALSE"
    vevent.add("attendee", attendee)
    return wrap(vevent, method, event)


def public_event_ics(event: Event) -> str:
    """The event as anyone may add it to a calendar (METHOD PUBLISH)."""
    return wrap(public_vevent(event), "PUBLISH", event)


def public_vevent(event: Event, stamp: datetime | None = None) -> icalendar.Event:
    """The event's public entry: the same UID in the single file and in the feeds."""
    status = "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED"
    return calendar_event(
        event, uid=event_uid(event), status=status, description=event.summary, stamp=stamp
    )
