"""Announcements (marketing): news of an event for everyone whose latest marketing choice is yes,
one email per person (normalised address) across all their registrations, each with RFC 8058
unsubscribe headers and a visible link, queued in one INSERT at MAIL_RATE_PER_MINUTE."""

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.models import Announcement, Event, EventStatus, MarketingChoice, Registration
from app.outbox.queue import add_many
from app.privacy.unsubscribe import unsubscribe_headers, unsubscribe_url
from app.registration.calendar import location
from app.registration.tokens import event_url
from app.staff.services import audit
from app.staff.services.group_mail import (
    MessageError,
    batch_counts,
    check_message,
    render_once,
    staff_user_id,
)
from app.templating import event_when


@dataclass(frozen=True)
class Recipient:
    email_normalized: str
    email: str
    name: str


def recipients() -> list[Recipient]:
    """Everyone whose latest choice is "yes, email me", once each, named as on their latest
    registration (anonymised ones are gone: they cannot be written to)."""
    latest = (
        select(func.max(Registration.id).label("id"))
        .join(
            MarketingChoice,
            MarketingChoice.email_normalized == Registration.email_normalized,
        )
        .where(MarketingChoice.opted_in.is_(True), Registration.anonymised_at.is_(None))
        .group_by(Registration.email_normalized)
        .subquery()
    )
    rows = db.session.execute(
        select(Registration.email_normalized, Registration.email, Registration.name)
        .join(latest, latest.c.id == Registration.id)
        .order_by(Registration.email_normalized)
    ).all()
    return [Recipient(*row) for row in rows]


def announceable_events() -> list[Event]:
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.status == EventStatus.PUBLISHED)
            .order_by(Event.starts_at.desc())
        )
    )


@dataclass(frozen=True)
class Draft:
    event: Event | None
    recipients: list[Recipient]
    subject: str
    body_md: str
    body_html: str

    @property
    def count(self) -> int:
        return len(self.recipients)

    def rendered(self):
        event = self.event
        return render_once(
            "announcement",
            subject=self.subject,
            event=event,
            when=event_when(event) if event else "",
            place=(location(event) or "to be announced") if event else "",
            event_url=event_url(event) if event else "",
            body_md=self.body_md,
            body_html=self.body_html,
        )

    def sample(self) -> tuple[str, str]:
        first = self.recipients[0]
        return self.rendered().personal(
            name=first.name, unsubscribe_url=unsubscribe_url(first.email_normalized)
        )


def prepare(event_id: int | None, subject: str, body: str) -> Draft:
    """Check what marketing wrote and find who gets it.

    :raises MessageError: bad subject or body, an unknown event, or nobody opted in.
    """
    errors = {}
    event = db.session.get(Event, event_id) if event_id else None
    if event_id and (event is None or event.status != EventStatus.PUBLISHED):
        errors["event_id"] = "Choose a published event, or none."
    try:
        subject, body_html = check_message(subject, body)
    except MessageError as error:
        errors.update(error.errors)
        body_html = ""
    people = recipients() if not errors else []
    if not errors and not people:
        errors["subject"] = "Nobody has asked for news yet: there is no one to send this to."
    if errors:
        raise MessageError(errors)
    return Draft(event, people, " ".join(subject.split()), body.strip(), body_html)


def send(event_id: int | None, subject: str, body: str) -> Announcement:
    """Queue the announcement: one outbox row per person, in one INSERT, paced by
    MAIL_RATE_PER_MINUTE (each row's first try is spaced out). Flushes.

    :raises MessageError: as prepare().
    """
    draft = prepare(event_id, subject, body)
    announcement = Announcement(
        event_id=draft.event.id if draft.event else None,
        subject=draft.subject,
        body_md=draft.body_md,
        body_html=draft.body_html,
        recipients=draft.count,
        created_by_id=staff_user_id(),
    )
    db.session.add(announcement)
    db.session.flush()
    pair = draft.rendered()
    rows = []
    for person in draft.recipients:
        link = unsubscribe_url(person.email_normalized)
        text, html = pair.personal(name=person.name, unsubscribe_url=link)
        rows.append(
            {
                "kind": "announcement",
                "event_id": announcement.event_id,
                "to_address": person.email,
                "subject": draft.subject,
                "body_text": text,
                "body_html": html,
                "headers": unsubscribe_headers(link),
                "batch": announcement.batch,
            }
        )
    add_many(rows, per_minute=current_app.config.get("MAIL_RATE_PER_MINUTE") or 0)
    audit.record("announcement.sent", announcement, f"“{draft.subject}” to {draft.count}")
    return announcement


def progress() -> list[tuple[Announcement, dict[str, int]]]:
    """Every announcement, newest first, with its sent / waiting / failed counts."""
    announcements = db.session.scalars(select(Announcement).order_by(Announcement.id.desc())).all()
    counts = batch_counts([announcement.batch for announcement in announcements])
    return [(announcement, counts[announcement.batch]) for announcement in announcements]
