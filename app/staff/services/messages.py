"""Messages from staff to a group of an event's attendees: the audiences, a preview of what one
recipient gets, sending (one outbox row per recipient, one transaction, one INSERT), the
event's message history with sent / waiting / failed counts, and sending again to failures."""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, select

from app.extensions import db
from app.models import (
    ACTIVE_STATUSES,
    Event,
    OutboxMessage,
    OutboxStatus,
    Registration,
    RegistrationStatus,
    StaffMessage,
)
from app.outbox.queue import add_many, retry_now
from app.registration.calendar import location
from app.registration.tokens import event_url, manage_url
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
class Audience:
    label: str
    # Which registrations of the event it holds (cancelled people are never in one).
    condition: ColumnElement[bool]


# One place for the audiences.
AUDIENCES: dict[str, Audience] = {
    "confirmed": Audience(
        "Confirmed attendees", Registration.status == RegistrationStatus.CONFIRMED
    ),
    "waitlisted": Audience(
        "People on the waiting list", Registration.status == RegistrationStatus.WAITLISTED
    ),
    "pending": Audience(
        "Applications awaiting a decision", Registration.status == RegistrationStatus.PENDING
    ),
    "checked_in": Audience(
        "Checked in (those who came)",
        (Registration.status == RegistrationStatus.CONFIRMED)
        & Registration.checked_in_at.is_not(None),
    ),
    "not_checked_in": Audience(
        "Confirmed but not checked in",
        (Registration.status == RegistrationStatus.CONFIRMED)
        & Registration.checked_in_at.is_(None),
    ),
    "active": Audience(
        "Everyone active (confirmed and waiting)", Registration.status.in_(ACTIVE_STATUSES)
    ),
}


def audience_choices() -> list[tuple[str, str]]:
    return [(name, audience.label) for name, audience in AUDIENCES.items()]


def audience_members(event: Event, audience: str) -> list[Registration]:
    """The registrations of `event` in `audience`, in a stable order.

    :raises MessageError: for an audience that does not exist.
    """
    if audience not in AUDIENCES:
        raise MessageError({"audience": "Choose who the message is for."})
    return list(
        db.session.scalars(
            select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.anonymised_at.is_(None),
                AUDIENCES[audience].condition,
            )
            .order_by(Registration.id)
        )
    )


@dataclass(frozen=True)
class Draft:
    """What would be sent: the recipients and, for the first of them, the email exactly."""

    recipients: list[Registration]
    subject: str
    body_md: str
    body_html: str

    @property
    def count(self) -> int:
        return len(self.recipients)

    def sample(self) -> tuple[str, str]:
        return rendered(self).personal(**personal_values(self.recipients[0]))


def prepare(event: Event, audience: str, subject: str, body: str) -> Draft:
    """Check what staff wrote and find who gets it.

    :raises MessageError: bad subject or body, unknown audience, or an audience of nobody.
    """
    errors = {}
    try:
        subject, body_html = check_message(subject, body)
    except MessageError as error:
        errors.update(error.errors)
        body_html = ""
    try:
        recipients = audience_members(event, audience)
    except MessageError as error:
        errors.update(error.errors)
        recipients = []
    if not errors and not recipients:
        errors["audience"] = "Nobody is in that group at the moment: nothing to send."
    if errors:
        raise MessageError(errors)
    return Draft(recipients, " ".join(subject.split()), body.strip(), body_html)


def rendered(draft: Draft):
    event = draft.recipients[0].event
    return render_once(
        "staff_message",
        subject=draft.subject,
        event=event,
        when=event_when(event),
        place=location(event) or "to be announced",
        event_url=event_url(event),
        body_md=draft.body_md,
        body_html=draft.body_html,
    )


def personal_values(registration: Registration) -> dict[str, str]:
    return {"name": registration.name, "manage_url": manage_url(registration)}


def send(event: Event, audience: str, subject: str, body: str) -> StaffMessage:
    """Queue the message to everyone in `audience`: one outbox row each, with their greeting
    and manage link, in one INSERT; recorded in the history and the audit log. Flushes.

    :raises MessageError: as prepare().
    """
    draft = prepare(event, audience, subject, body)
    message = StaffMessage(
        event_id=event.id,
        audience=audience,
        subject=draft.subject,
        body_md=draft.body_md,
        body_html=draft.body_html,
        recipients=draft.count,
        created_by_id=staff_user_id(),
    )
    db.session.add(message)
    db.session.flush()
    pair = rendered(draft)
    rows = []
    for registration in draft.recipients:
        text, html = pair.personal(**personal_values(registration))
        rows.append(
            {
                "kind": "staff_message",
                "registration_id": registration.id,
                "event_id": event.id,
                "to_address": registration.email,
                "subject": draft.subject,
                "body_text": text,
                "body_html": html,
                "batch": message.batch,
            }
        )
    add_many(rows)
    audit.record(
        "message.sent",
        message,
        f"{event.title}: “{draft.subject}” to {draft.count} ({AUDIENCES[audience].label})",
    )
    return message


def history(event: Event) -> list[tuple[StaffMessage, dict[str, int]]]:
    """The event's messages, newest first, each with its sent / waiting / failed counts."""
    messages = db.session.scalars(
        select(StaffMessage)
        .where(StaffMessage.event_id == event.id)
        .order_by(StaffMessage.id.desc())
    ).all()
    counts = batch_counts([message.batch for message in messages])
    return [(message, counts[message.batch]) for message in messages]


def resend_failed(message: StaffMessage) -> int:
    """Try the failed copies of `message` once more (same Message-IDs); returns how many."""
    failed = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.batch == message.batch, OutboxMessage.status == OutboxStatus.FAILED
        )
    ).all()
    for row in failed:
        retry_now(row)
    if failed:
        audit.record("message.resent", message, f"“{message.subject}” again to {len(failed)}")
    return len(failed)
