"""Reminders before an event, scheduled by the event itself (its `reminder_days`).

The mail-delivering processes run `send_due_reminders` as a scheduled job. For each event that
has not started, the reminder whose moment (so many days before the start, counted on the
event's own clock) has passed most recently is due. Every confirmed registration made before
that moment and not yet reminded for that offset gets one email, and waiting people get a
short note when the event asks for it. A `reminder_sent` row, unique per registration and
offset, is written in the same transaction as the outbox row: two processes at once cannot
both send, a moved event's unsent reminders follow its new start, and a moment missed while
everything was down is caught up late (unless the event has started).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import exists, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.db import utcnow
from app.extensions import db
from app.models import Event, EventStatus, Registration, RegistrationStatus, ReminderSent
from app.outbox.schedule import register_job
from app.registration.emails import queue_registration_mail
from app.registration.tokens import release_url

JOB_NAME = "reminders"
LONGEST_OFFSET_DAYS = 365


def parse_reminder_days(text: str) -> list[int]:
    """ "7, 1" -> [7, 1]: whole days before the start, largest first, no repeats.

    :raises ValueError: for anything but whole numbers from 0 to 365 separated by commas.
    """
    days = set()
    for part in (text or "").replace(" ", "").split(","):
        if not part:
            continue
        if not part.isdigit() or int(part) > LONGEST_OFFSET_DAYS:
            raise ValueError(
                "Give whole days before the start, separated by commas (for example 7, 1)."
            )
        days.add(int(part))
    return sorted(days, reverse=True)


def reminder_moment(event: Event, days_before: int) -> datetime:
    """The instant of a reminder: the start's local time, `days_before` days earlier on the
    event's own calendar (a clock change in between moves it by the hour), in UTC."""
    local_start = event.starts_at.astimezone(event.zone)
    local = (local_start.replace(tzinfo=None) - timedelta(days=days_before)).replace(
        tzinfo=event.zone
    )
    return local.astimezone(UTC)


def event_reminder_days(event: Event) -> list[int]:
    try:
        return parse_reminder_days(event.reminder_days)
    except ValueError:
        return []  # the editor refuses such text; an old row with it sends nothing


@dataclass(frozen=True)
class DueReminder:
    event: Event
    days_before: int
    moment: datetime


def due_reminders(now: datetime) -> list[DueReminder]:
    """For each published event that has not started, its latest reminder moment that passed
    (an earlier one missed while down is not sent as well: the nearer one says the same)."""
    events = db.session.scalars(
        select(Event)
        .where(Event.status == EventStatus.PUBLISHED, Event.starts_at > now)
        .order_by(Event.starts_at, Event.id)
    ).all()
    due = []
    for event in events:
        passed = [
            (days, reminder_moment(event, days))
            for days in event_reminder_days(event)
            if reminder_moment(event, days) <= now
        ]
        if passed:
            days, moment = min(passed, key=lambda pair: pair[0])
            due.append(DueReminder(event, days, moment))
    return due


def recipients(due: DueReminder) -> list[Registration]:
    """Who this reminder is for: confirmed (and, if the event asks, waiting) registrations
    made before its moment that have not had it."""
    statuses = [RegistrationStatus.CONFIRMED]
    if due.event.remind_waitlisted:
        statuses.append(RegistrationStatus.WAITLISTED)
    already = exists().where(
        ReminderSent.registration_id == Registration.id,
        ReminderSent.days_before == due.days_before,
    )
    return list(
        db.session.scalars(
            select(Registration)
            .where(
                Registration.event_id == due.event.id,
                Registration.status.in_(statuses),
                Registration.registered_at <= due.moment,
                Registration.anonymised_at.is_(None),
                ~already,
            )
            .order_by(Registration.id)
        )
    )


def claim_reminder(registration: Registration, due: DueReminder, now: datetime) -> bool:
    """Write the reminder's record; false when another process already did (unique key)."""
    insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    inserted = db.session.execute(
        insert(ReminderSent)
        .values(
            registration_id=registration.id,
            days_before=due.days_before,
            event_starts_at=due.event.starts_at,
            sent_at=now,
        )
        .on_conflict_do_nothing(index_elements=["registration_id", "days_before"])
        .returning(ReminderSent.id)
    ).scalar_one_or_none()
    return inserted is not None


def queue_reminder(registration: Registration, days_before: int):
    """The reminder email: current time and place, what to bring, the current calendar file,
    and a link to give the seat back; for someone waiting, their place in the queue."""
    event = registration.event
    if registration.status == RegistrationStatus.WAITLISTED:
        subject = f"Reminder: you are still on the waiting list for {event.title}"
        return queue_registration_mail(
            registration, "reminder", "reminder_waitlisted", subject, "REQUEST"
        )
    return queue_registration_mail(
        registration,
        "reminder",
        "reminder",
        f"Reminder: {event.title}",
        "REQUEST",
        days_before=days_before,
        release_url=release_url(registration),
    )


def send_due_reminders(now: datetime | None = None) -> int:
    """Queue every reminder that is due; returns how many. Flushes; the caller commits."""
    now = now or utcnow()
    queued = 0
    for due in due_reminders(now):
        for registration in recipients(due):
            if claim_reminder(registration, due, now):
                queue_reminder(registration, due.days_before)
                queued += 1
    return queued


def run_reminders() -> str:
    """The scheduled job: queue due reminders and commit them with their records."""
    queued = send_due_reminders()
    db.session.commit()
    return f"queued {queued} reminders"


def register_jobs(app: Flask) -> None:
    """Have the mail-delivering processes look for due reminders every REMINDER_CHECK_SECONDS;
    0 turns that off."""
    if not app.config["REMINDER_CHECK_SECONDS"]:
        return
    register_job(app, JOB_NAME, lambda app: app.config["REMINDER_CHECK_SECONDS"], run_reminders)
