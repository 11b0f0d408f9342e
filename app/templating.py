"""Template helpers: dates in an event's own time zone, cache-busted static URLs."""

import hashlib
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from flask import Flask, current_app, url_for

from app.media.markup import og_image, picture, with_image
from app.models import ArticleStatus, EventKind, EventStatus, OutboxStatus, RegistrationStatus, Role
from app.models.content import is_public

# English names, as strftime's %a and %B give them in the C locale the app runs in. Looked up,
# not formatted: each strftime costs ~1.5 us, and a staff list of 50 rows formats 100 times.
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def format_date(value: datetime | None, zone: str = "UTC") -> str:
    """'14 January 2027'."""
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(zone))
    return f"{local.day} {MONTH_NAMES[local.month - 1]} {local.year}"


def format_datetime(value: datetime | None, zone: str = "UTC") -> str:
    """'Thu 14 January 2027, 09:30' in the given zone."""
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(zone))
    return (
        f"{DAY_NAMES[local.weekday()]} {local.day} {MONTH_NAMES[local.month - 1]} {local.year}, "
        f"{local.hour:02}:{local.minute:02}"
    )


def zone_label(value: datetime, zone: str) -> str:
    """'Europe/Berlin, CET': the IANA name people can look up, and the abbreviation in use."""
    local = value.astimezone(ZoneInfo(zone))
    abbreviation = local.tzname() or ""
    if not abbreviation or abbreviation[0] in "+-":
        offset = f"{local:%z}"
        abbreviation = f"UTC{offset[:3]}:{offset[3:]}"
    return f"{zone.replace('_', ' ')}, {abbreviation}"


def iso(value: datetime) -> str:
    """Machine-readable time to the second: <time datetime>, JSON-LD, feeds.

    (The Nu checker rejects more than three fraction digits in <time datetime>.)
    """
    return value.isoformat(timespec="seconds")


def event_when(event) -> str:
    """The event's dates in its own time zone, the zone named: one line for people to read."""
    start, end = event.local_starts_at, event.local_ends_at
    if start.date() == end.date():
        text = f"{format_datetime(start, event.timezone)}–{end:%H:%M}"
    else:
        text = f"{format_datetime(start, event.timezone)} – {format_datetime(end, event.timezone)}"
    return f"{text} ({zone_label(event.starts_at, event.timezone)})"


@cache
def _file_hash(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()[:12]


def static_url(filename: str) -> str:
    """A static URL with the file's content hash, so browsers may cache it for a year."""
    digest = _file_hash(f"{current_app.static_folder}/{filename}")
    return url_for("static", filename=filename, v=digest)


def absolute_url(endpoint: str, **values) -> str:
    """A URL built on SITE_URL, for emails, feeds, the sitemap and Open Graph tags."""
    return current_app.config["SITE_URL"] + url_for(endpoint, **values)


def register(app: Flask) -> None:
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["event_when"] = event_when
    app.jinja_env.filters["iso"] = iso
    app.jinja_env.globals["static_url"] = static_url
    app.jinja_env.globals["absolute_url"] = absolute_url
    app.jinja_env.globals["site_name"] = app.config["SITE_NAME"]
    app.jinja_env.globals.update(picture=picture, og_image=og_image)
    app.jinja_env.filters["combine_image"] = with_image
    # Templates compare with these, never with the words themselves.
    app.jinja_env.globals.update(
        ArticleStatus=ArticleStatus,
        EventKind=EventKind,
        EventStatus=EventStatus,
        OutboxStatus=OutboxStatus,
        RegistrationStatus=RegistrationStatus,
        Role=Role,
        is_public=is_public,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
