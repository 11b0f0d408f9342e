"""Events for staff: the list, one by slug, and saving from the editor with seat and time
checks, slug redirects and notices to attendees."""

from sqlalchemy import bindparam, select

from app.extensions import db
from app.models import Event, EventStatus
from app.models.content import is_public
from app.registration.emails import queue_event_cancelled, queue_event_updated
from app.registration.queries import active_registrations
from app.registration.reminders import parse_reminder_days
from app.staff.services import audit
from app.staff.services.publishing import (
    EditError,
    keep_old_slug,
    publication_time,
    resolve_slug,
    submitted_time,
)

EVENT_AUDITED = (
    "title", "slug", "kind", "summary", "description_md", "what_to_bring", "timezone",
    "starts_at", "ends_at", "venue", "address", "city", "country", "capacity",
    "waitlist_enabled", "registration_opens_at", "registration_closes_at", "status",
    "published_at", "sequence", "reminder_days", "remind_waitlisted", "approval_required",
    "changes_close_at",
)  # fmt: skip
# What attendees' calendars hold: a change to any of these sends them an update.
CALENDAR_FIELDS = ("starts_at", "ends_at", "venue", "address", "city", "country")
PLAIN_FIELDS = (
    "title", "kind", "summary", "what_to_bring", "venue", "address", "city", "country",
    "capacity", "waitlist_enabled", "status", "approval_required",
)  # fmt: skip
TIME_FIELDS = (
    "starts_at", "ends_at", "registration_opens_at", "registration_closes_at", "changes_close_at",
)  # fmt: skip


def all_events() -> list[Event]:
    """Every event, the latest start first."""
    return list(db.session.scalars(select(Event).order_by(Event.starts_at.desc())))


def find_event(slug: str) -> Event | None:
    return db.session.scalar(EVENT_BY_SLUG, {"slug": slug})


# Built once (see app/site/queries.py, PUBLIC_EVENT_BY_SLUG): every event page of staff asks.
EVENT_BY_SLUG = select(Event).where(Event.slug == bindparam("slug"))


def save_event(event: Event | None, values: dict) -> Event:
    """Create (event=None) or update an event from editor values; flushes, never commits.

    Attendees hear about it: a new date, time or place raises the calendar SEQUENCE and
    queues an update email; cancelling queues a cancellation.
    :raises EditError: slug taken, capacity below seats taken, a local time that does not exist.
    """
    creating = event is None
    if creating:
        event = Event(seats_taken=0, waitlist_issued=0, sequence=0)
    else:
        lock_event(event)
    before = {} if creating else audit.snapshot(event, EVENT_AUDITED)
    public_before = not creating and is_public(event.status, event.published_at)
    old_slug = event.slug

    errors = {}
    zone = values["timezone"]
    times = {}
    for field in (*TIME_FIELDS, "published_at"):
        try:
            times[field] = submitted_time(values.get(field), getattr(event, field), zone, field)
        except EditError as error:
            errors.update(error.errors)
    capacity = values.get("capacity")
    if capacity is not None and capacity < (event.seats_taken or 0):
        errors["capacity"] = (
            f"{event.seats_taken} seats are already taken: the capacity cannot be lower "
            "(cancel registrations first)."
        )
    try:
        reminder_days = parse_reminder_days(values.get("reminder_days", "7,1"))
    except ValueError as error:
        errors["reminder_days"] = str(error)
    try:
        slug = resolve_slug(Event, values.get("slug"), values["title"], event.id)
    except EditError as error:
        errors.update(error.errors)
    if errors:
        raise EditError(errors)

    event.slug = slug
    event.timezone = zone
    for field in PLAIN_FIELDS:
        setattr(event, field, values.get(field) if field == "capacity" else values[field])
    for field in TIME_FIELDS:
        setattr(event, field, times[field])
    event.reminder_days = ",".join(str(days) for days in reminder_days)
    event.remind_waitlisted = bool(values.get("remind_waitlisted"))
    event.published_at = publication_time(event.status, times["published_at"])
    event.image_id = values.get("image")  # a choice of the picker: an existing media id
    if creating or values.get("description", "") != event.description_md:
        event.set_description(values.get("description") or "")
    if creating:
        db.session.add(event)
    db.session.flush()
    keep_old_slug("event", event.id, old_slug, event.slug, public_before)

    if not creating:
        notify_attendees(event, before, values.get("notify_note") or "")
    after = audit.snapshot(event, EVENT_AUDITED)
    audit.record_save("event", event, event.title, creating, before, after)
    return event


def lock_event(event: Event) -> None:
    """Hold the event row until commit and read its current seat count.

    A sign-up in another process cannot take a seat between the capacity check and the save
    (PostgreSQL waits on the row lock; SQLite's writer lock already serialises writers).
    """
    db.session.execute(select(Event.id).where(Event.id == event.id).with_for_update())
    db.session.refresh(event, ["seats_taken", "waitlist_issued", "sequence"])


def notify_attendees(event: Event, before: dict, note: str = "") -> None:
    """Queue the emails an edit calls for: an update when the calendar entry moved, or a
    cancellation; each raises SEQUENCE so calendars replace the entry they hold."""
    was_cancelled = before.get("status") == EventStatus.CANCELLED
    if event.status == EventStatus.CANCELLED and not was_cancelled:
        event.sequence += 1
        db.session.flush()
        queue_event_cancelled(event, note=note)
        return
    if was_cancelled or event.status == EventStatus.CANCELLED:
        return
    moved = any(
        before.get(field) != audit.json_ready(getattr(event, field)) for field in CALENDAR_FIELDS
    )
    if not moved:
        return
    # Raised even with nobody registered: visitors may hold the public .ics from the event page.
    event.sequence += 1
    db.session.flush()
    if active_registrations(event):
        queue_event_updated(event, note=note)
