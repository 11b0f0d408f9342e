"""`flask seed`: demo content from app/demo/'s files, and fake attendees for benchmarks."""

import io
import secrets
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import click
from flask.cli import with_appcontext
from sqlalchemy import func, insert, select, update

from app.content import slugify
from app.db import utcnow
from app.demo.loader import (
    load_articles,
    load_authors,
    load_events,
    load_profiles,
    load_programmes,
)
from app.demo.pictures import CREDIT, PICTURES, draw_png
from app.demo.questions import seed_questions
from app.extensions import db
from app.media.library import Upload, add_media, check_upload
from app.models import Article, Author, Event, ProgrammeSession, Registration, Tag


@click.command("seed")
@with_appcontext
@click.option("--attendees", type=click.IntRange(min=1), help="Add N fake registrations.")
@click.option("--event", "event_slug", help="The event (slug) that gets the fake attendees.")
def seed_command(attendees: int | None, event_slug: str | None) -> None:
    """Load demo authors, articles and events (idempotent), or fake attendees."""
    if attendees:
        if not event_slug:
            raise click.UsageError("--attendees needs --event SLUG.")
        event = db.session.scalar(select(Event).where(Event.slug == event_slug))
        if event is None:
            raise click.BadParameter(f"no event with slug {event_slug!r}", param_hint="--event")
        added = add_fake_attendees(event, attendees)
        db.session.commit()
        click.echo(f"Added {added} registrations to {event.slug}.")
        return
    created = seed_demo_content()
    db.session.commit()
    click.echo(f"Demo content ready ({created} new rows).")


def seed_demo_content(today: datetime | None = None) -> int:
    """Create whatever demo rows are missing; rows that exist are left as they are."""
    today = today or utcnow()
    created = 0
    new_rows = []
    authors = {}
    profiles = load_profiles()
    for data in load_authors():
        author = db.session.scalar(select(Author).where(Author.slug == data["slug"]))
        if author is None:
            author = Author(**data, **profiles.get(data["slug"], {}))
            db.session.add(author)
            new_rows.append(author)
            created += 1
        authors[data["slug"]] = author

    for data in load_articles():
        if db.session.scalar(select(Article.id).where(Article.slug == data["slug"])):
            continue
        published_at = today - timedelta(days=data["published_days_ago"])
        article = Article(
            title=data["title"],
            slug=data["slug"],
            summary=data["summary"],
            author=authors[data["author"]],
            status="draft" if data.get("draft") else "published",
            published_at=None if data.get("draft") else published_at,
            tags=[get_or_create_tag(name) for name in data["tags"]],
        )
        article.set_body(data["body"])
        if not data.get("draft"):
            article.created_at = article.updated_at = published_at
        db.session.add(article)
        new_rows.append(article)
        created += 1

    for data in load_events():
        if db.session.scalar(select(Event.id).where(Event.slug == data["slug"])):
            continue
        event = demo_event(data, today)
        db.session.add(event)
        new_rows.append(event)
        created += 1
    db.session.flush()
    seed_programmes(authors)  # sessions come along with their events, uncounted like tags
    seed_questions()  # questions and demo applications, likewise
    add_demo_pictures(new_rows)
    return created


def seed_programmes(authors: dict[str, Author]) -> int:
    """Sessions for the demo events that have none yet, on the event's days in its zone."""
    created = 0
    for slug, sessions in load_programmes().items():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        if event is None or db.session.scalar(
            select(ProgrammeSession.id).where(ProgrammeSession.event_id == event.id).limit(1)
        ):
            continue
        first_day = event.local_starts_at.date()
        for data in sessions:
            day = first_day + timedelta(days=data["day"] - 1)
            session = ProgrammeSession(
                event=event,
                title=data["title"],
                kind=data["kind"],
                room=data["room"],
                starts_at=local_time(day, data["start"], event.zone),
                ends_at=local_time(day, data["end"], event.zone),
                capacity=data["capacity"],
                seats_taken=0,
                sequence=0,
                speakers=[authors[speaker] for speaker in data["speakers"]],
            )
            session.set_description("")
            db.session.add(session)
            created += 1
    db.session.flush()
    return created


def local_time(day, hh_mm: str, zone: ZoneInfo) -> datetime:
    hour, minute = map(int, hh_mm.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def add_demo_pictures(rows: list) -> None:
    """A drawn picture for each new demo row, through the same checks as an upload."""
    for row in rows:
        picture = PICTURES.get(row.slug)
        if picture is None or row.image_id is not None:
            continue
        checked = check_upload(Upload(f"{row.slug}.png", io.BytesIO(draw_png(row.slug))))
        details = {"alt": picture.alt, "caption": picture.caption, "credit": CREDIT}
        (item,) = add_media([checked], details)
        row.image_id = item.id
    db.session.flush()


def demo_event(data: dict, today: datetime) -> Event:
    zone = ZoneInfo(data["timezone"])
    day = (today + timedelta(days=data["starts_in_days"])).astimezone(zone).date()
    hour, minute = map(int, data["start_time"].split(":"))
    starts_at = datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)
    event = Event(
        kind=data["kind"],
        title=data["title"],
        slug=data["slug"],
        summary=data["summary"],
        what_to_bring=data.get("what_to_bring", ""),
        timezone=data["timezone"],
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=data["duration_hours"]),
        venue=data["venue"],
        city=data["city"],
        country=data["country"],
        capacity=data["capacity"],
        seats_taken=0,
        waitlist_enabled=data["waitlist"],
        approval_required=data["approval"],
        registration_opens_at=min(today, starts_at) - timedelta(days=30),
        registration_closes_at=starts_at - timedelta(days=2),
        status="published",
        published_at=min(today, starts_at) - timedelta(days=30),
    )
    event.set_description(data["description"])
    return event


def get_or_create_tag(name: str) -> Tag:
    slug = slugify(name)
    tag = db.session.scalar(select(Tag).where(Tag.slug == slug))
    if tag is None:
        tag = Tag(name=name, slug=slug)
        db.session.add(tag)
        db.session.flush()
    return tag


def add_fake_attendees(event: Event, count: int, chunk: int = 5000) -> int:
    """Insert `count` registrations in bulk: seats first, then the waitlist, then turned away.

    Seat counters move by the same amounts in the same transaction, so the rules hold.
    """
    # Lock the event row first (FOR UPDATE is ignored by SQLite, whose writer lock suffices).
    db.session.execute(select(Event.id).where(Event.id == event.id).with_for_update())
    db.session.refresh(event)
    start = db.session.scalar(select(func.count()).where(Registration.event_id == event.id))
    seats = (
        count if event.capacity is None else max(0, min(count, event.capacity - event.seats_taken))
    )
    waiting = (count - seats) if event.waitlist_enabled else 0
    now = utcnow()
    rows = []
    added = 0
    for i in range(seats + waiting):
        n = start + i + 1
        email = f"attendee{n}@example.com"
        confirmed = i < seats
        rows.append(
            {
                "event_id": event.id,
                "manage_key": secrets.token_urlsafe(24),
                "name": f"Attendee {n}",
                "email": email,
                "email_normalized": email,
                "company": f"Company {n % 97}",
                "job_title": "Engineer",
                "dietary": "",
                "accessibility": "",
                "status": "confirmed" if confirmed else "waitlisted",
                "waitlist_ticket": None if confirmed else event.waitlist_issued + (i - seats) + 1,
                "registered_at": now,
                "consent_at": now,
                "marketing_opt_in": n % 3 == 0,
                "marketing_opt_in_at": now if n % 3 == 0 else None,
                "updated_at": now,
            }
        )
        if len(rows) == chunk:
            db.session.execute(insert(Registration), rows)
            added += len(rows)
            rows = []
    if rows:
        db.session.execute(insert(Registration), rows)
        added += len(rows)
    db.session.execute(
        update(Event)
        .where(Event.id == event.id)
        .values(
            seats_taken=Event.seats_taken + seats, waitlist_issued=Event.waitlist_issued + waiting
        )
    )
    return added
