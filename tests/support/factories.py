"""Test data, made the way the app makes it: plain functions taking overrides."""

import itertools
from datetime import timedelta

from app.content import slugify
from app.db import utcnow
from app.extensions import db
from app.models import Article, Author, Event, ProgrammeSession, Tag

_numbers = itertools.count(1)


def create_author(**overrides) -> Author:
    n = next(_numbers)
    values = {"name": f"Author {n}", "slug": f"author-{n}", "bio": f"Writes things, number {n}."}
    values.update(overrides)
    author = Author(**values)
    db.session.add(author)
    db.session.flush()
    return author


def create_tag(name: str) -> Tag:
    tag = db.session.query(Tag).filter_by(slug=slugify(name)).one_or_none()
    if tag is None:
        tag = Tag(name=name, slug=slugify(name))
        db.session.add(tag)
        db.session.flush()
    return tag


def create_article(*, body: str = "Some **text**.", tags=(), **overrides) -> Article:
    n = next(_numbers)
    values = {
        "title": f"Article {n}",
        "slug": f"article-{n}",
        "summary": f"Summary of article {n}.",
        "status": "published",
        "published_at": utcnow() - timedelta(days=1),
    }
    values.update(overrides)
    if "author" not in values:
        values["author"] = create_author()
    tag_objects = [create_tag(name) for name in tags]
    article = Article(**values, tags=tag_objects)
    article.set_body(body)
    db.session.add(article)
    db.session.flush()
    return article


def create_event(*, description: str = "A day out.", **overrides) -> Event:
    """A published conference in Berlin 30 days from now, open for registration."""
    n = next(_numbers)
    starts_at = overrides.pop("starts_at", utcnow() + timedelta(days=30))
    values = {
        "kind": "conference",
        "title": f"Event {n}",
        "slug": f"event-{n}",
        "summary": f"Summary of event {n}.",
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=8),
        "timezone": "Europe/Berlin",
        "venue": "Hall 1",
        "city": "Berlin",
        "country": "Germany",
        "capacity": 10,
        "seats_taken": 0,
        "waitlist_enabled": True,
        "status": "published",
        "published_at": utcnow() - timedelta(days=1),
    }
    values.update(overrides)
    event = Event(**values)
    event.set_description(description)
    db.session.add(event)
    db.session.flush()
    return event


def make_event(app, **overrides) -> str:
    """An event from `create_event(**overrides)`, committed in its own app context; its slug."""
    with app.app_context():
        event = create_event(**overrides)
        db.session.commit()
        return event.slug


def create_session(event: Event, *, speakers=(), **overrides):
    """A scheduled session of `event`: an hour from the event's start unless told otherwise."""
    from_start = overrides.pop("hours_in", 0)
    starts_at = overrides.pop("starts_at", event.starts_at + timedelta(hours=from_start))
    values = {
        "event": event,
        "title": f"Session {next(_numbers)}",
        "kind": "talk",
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=1),
        "room": "Hall A",
        "seats_taken": 0,
        "sequence": 0,
        "status": "scheduled",
        "speakers": list(speakers),
    }
    values.update(overrides)
    session = ProgrammeSession(**values)
    session.set_description(overrides.get("description_md", ""))
    db.session.add(session)
    db.session.flush()
    return session
