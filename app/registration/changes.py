"""Attendees changing their own details and answers, until the event's changes close.

The email address is not among them: changing it would move the registration to an address
nobody confirmed (the edit page explains what to do instead). One change is one transaction:
the new values, the audit entry (made by the attendee, no staff user) and the email listing
what changed. Functions flush; the caller commits.
"""

from datetime import datetime

from app.db import utcnow
from app.extensions import db
from app.models import AuditEntry, EventKind, EventStatus, Registration, RegistrationStatus
from app.models.questions import event_questions
from app.registration import emails
from app.registration.answers import clean_answers, save_answers
from app.registration.validation import clean_text

EDITABLE = ("name", "company", "job_title", "dietary", "accessibility")
LABELS = {
    "name": "Full name",
    "company": "Company or organisation",
    "job_title": "Job title",
    "dietary": "Dietary requirements",
    "accessibility": "Accessibility needs",
}


def changes_close_at(registration: Registration) -> datetime:
    """When attendees' changes close: the event's setting, else when registration closes,
    else when the event starts."""
    event = registration.event
    return event.changes_close_at or event.registration_closes_at or event.starts_at


def can_change(registration: Registration, now: datetime | None = None) -> bool:
    event = registration.event
    return (
        registration.status not in (RegistrationStatus.CANCELLED, RegistrationStatus.DECLINED)
        and registration.anonymised_at is None
        and event.status != EventStatus.CANCELLED
        and (now or utcnow()) < min(changes_close_at(registration), event.starts_at)
    )


class ChangesClosed(ValueError):
    """Too late (or nothing left to change): the page says so."""


def change_details(registration: Registration, form_data: dict) -> dict[str, tuple]:
    """Apply the attendee's edit: {label: (before, after)} of what changed (empty: nothing).

    :raises ChangesClosed: after the cut-off. :raises ValueError: when a value breaks a rule.
    """
    if not can_change(registration):
        raise ChangesClosed("Changes to this registration are closed.")
    event = registration.event
    values = {field: clean_text(field, form_data.get(field)) for field in EDITABLE}
    if not values["name"]:
        raise ValueError("A name is required.")
    if event.kind != EventKind.FIELD_TRIP:
        values["dietary"] = registration.dietary
    answers = clean_answers(
        event_questions(event, public_only=True), form_data.get("answers") or {}
    )

    changes = {}
    for field, value in values.items():
        before = getattr(registration, field)
        if before != value:
            changes[LABELS[field]] = (before, value)
            setattr(registration, field, value)
    changes.update(save_answers(registration, answers))
    if not changes:
        return changes
    registration.updated_at = utcnow()
    db.session.flush()
    db.session.add(
        AuditEntry(
            user_id=None,
            action="registration.attendee_edit",
            target_type="registration",
            target_id=registration.id,
            summary=f"{registration.name} changed their details (by the attendee)"[:300],
            changes={label: {"before": old, "after": new} for label, (old, new) in changes.items()},
        )
    )
    emails.queue_details_changed(registration, changes)
    return changes
