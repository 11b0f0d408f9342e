"""Who gets a seat: sign-up, waiting list, cancellation and promotion. Functions flush; the
caller commits, so each change and the emails it causes are one transaction.

Seats are taken by one conditional UPDATE (success = one row changed), and waitlist tickets
come from an atomic counter on the event row, so many processes may sign people up at once
on SQLite or PostgreSQL without ever confirming more people than there are seats.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.addresses import normalize_email
from app.db import SEAT_COUNTER, start_writing, utcnow
from app.extensions import db
from app.models import (
    ACTIVE_STATUSES,
    Event,
    EventKind,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from app.models.questions import event_questions
from app.privacy import versions
from app.privacy.consent import set_marketing_choice
from app.registration import emails
from app.registration.agenda import release_agenda
from app.registration.answers import clean_answers, forget_answers, save_answers
from app.registration.queries import find_registration
from app.registration.rules import registration_state
from app.registration.tokens import manage_token
from app.registration.validation import TEXT_FIELDS, clean_text

# A repeated sign-up with the same address sends the confirmation again at most this often.
RESEND_INTERVAL = timedelta(hours=1)


@dataclass(frozen=True)
class RegistrationResult:
    """What a sign-up came to.

    outcome: "confirmed", "waitlisted" or "pending" (an application to an event that needs
    approval: no seat yet; a registration was stored), "duplicate" (the address
    was already registered: the confirmation was queued again, at most once an hour), "full"
    or "closed" (nothing
    stored; `message` says why, for the visitor).
    """

    outcome: str
    registration: Registration | None = None
    message: str = ""

    @property
    def stored(self) -> bool:
        return self.outcome in (*ACTIVE_STATUSES, RegistrationStatus.PENDING)

    @property
    def token(self) -> str | None:
        return manage_token(self.registration) if self.registration is not None else None


def register(event: Event, form_data: dict) -> RegistrationResult:
    """Sign someone up: a seat if one is free, else the waiting list, else nothing.

    `form_data` holds name, email, company, job_title, dietary, accessibility, consent,
    marketing_opt_in, answers and, optionally, the event's public questions as the form asked
    them (read from the database when absent). The registration row, the seat and the email
    are one transaction.

    Issue 16: the transaction is kept short where sign-ups queue behind each other. On SQLite
    (one writer at a time) the reading before it (the event, the form's questions) is done
    outside the writer lock (start_writing). On PostgreSQL the event row is locked from the
    seat's UPDATE to the commit, and every other sign-up for the event waits on it: so the row,
    its answers and the marketing choice are written first, the seat is taken after, and only
    the email (queued by its inputs, emails.py: nothing is rendered) follows it.
    :raises ValueError: when the data breaks a rule (the form checks the same rules first).
    """
    data = clean_registration_data(event, form_data)
    state = registration_state(event)
    if not state.open:
        return RegistrationResult("closed", message=state.message)
    start_writing()
    try:
        registration = insert_registration(event, data)
    except IntegrityError:
        # The address has signed up for this event before: just now (a sign-up at the same
        # moment, waited for on the unique key) or earlier, and maybe cancelled since. The
        # failed INSERT ended the transaction, which held nothing yet: start again. The row
        # is locked: of two sign-ups at once that find it cancelled, only one reuses it.
        db.session.rollback()
        existing = find_registration(event, data["email_normalized"], lock=True)
        if existing is None:
            raise
        if existing.status != RegistrationStatus.CANCELLED:
            return duplicate(existing)
        registration = reuse_cancelled(existing, data)
    record_answers_and_choice(registration, data)
    if registration.status != RegistrationStatus.PENDING and not take_seat(event):
        if not event.waitlist_enabled:
            # The transaction holds only this sign-up: undo all of it, nothing is stored.
            db.session.rollback()
            return RegistrationResult("full", message="Sorry, the last seat has just been taken.")
        registration.status = RegistrationStatus.WAITLISTED
        registration.waitlist_ticket = take_waitlist_ticket(event)
    emails.queue_confirmation(registration)
    return RegistrationResult(registration.status, registration)


def clean_registration_data(event: Event, form_data: dict) -> dict:
    if not form_data.get("consent"):
        raise ValueError("Consent to the privacy notice is required.")
    data = {field: clean_text(field, form_data.get(field)) for field in TEXT_FIELDS}
    if not data["name"]:
        raise ValueError("A name is required.")
    if event.kind != EventKind.FIELD_TRIP:
        data["dietary"] = ""
    data["email"], data["email_normalized"] = normalize_email(form_data.get("email") or "")
    data["marketing_opt_in"] = bool(form_data.get("marketing_opt_in"))
    questions = form_data.get("questions")
    if questions is None:
        questions = event_questions(event, public_only=True)
    data["answers"] = clean_answers(questions, form_data.get("answers") or {})
    return data


def duplicate(existing: Registration) -> RegistrationResult:
    """Same address again: send the confirmation once more (at most hourly), reveal nothing."""
    if claim_resend(existing):
        emails.queue_confirmation(existing, resent=True)
    return RegistrationResult("duplicate", existing)


def claim_resend(registration: Registration) -> bool:
    """Whether the confirmation may go again now: one conditional UPDATE, so many sign-ups
    at once with the same address send it once, and a stranger cannot flood the inbox."""
    now = utcnow()
    result = db.session.execute(
        update(Registration)
        .where(
            Registration.id == registration.id,
            or_(
                Registration.confirmation_resent_at.is_(None),
                Registration.confirmation_resent_at <= now - RESEND_INTERVAL,
            ),
        )
        .values(confirmation_resent_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def sign_up_values(event: Event, data: dict) -> dict:
    """The columns of a sign-up as it starts: confirmed, or pending when the event needs
    approval (register takes the seat, or a waiting-list ticket, after)."""
    now = utcnow()
    opted_in = data["marketing_opt_in"]
    # An application waits for staff (app/registration/approval.py); anyone else holds a
    # seat, unless take_seat finds none.
    approval = event.approval_required
    return {
        **{field: data[field] for field in (*TEXT_FIELDS, "email", "email_normalized")},
        # Random and unguessable; a reused registration gets a new one (see reuse_cancelled).
        "manage_key": secrets.token_urlsafe(32),
        "status": RegistrationStatus.PENDING if approval else RegistrationStatus.CONFIRMED,
        "waitlist_ticket": None,
        "registered_at": now,
        "consent_at": now,
        "promoted_at": None,
        "cancelled_at": None,
        "checked_in_at": None,
        "marketing_opt_in": opted_in,
        "marketing_opt_in_at": now if opted_in else None,
        # What was agreed to, provably (app/privacy/versions.py).
        "consent_version": versions.notice_version(),
        "marketing_consent_version": versions.marketing_version() if opted_in else None,
    }


def insert_registration(event: Event, data: dict) -> Registration:
    """The new registration, written. :raises IntegrityError: when the event has one with
    this address already (unique per event).

    Issue 16: this replaced a lookup first, then the INSERT in a SAVEPOINT (four round trips
    on PostgreSQL, for every sign-up, to catch what is rare: the same address again).
    """
    registration = Registration(event=event, **sign_up_values(event, data))
    db.session.add(registration)
    db.session.flush()
    return registration


def reuse_cancelled(registration: Registration, data: dict) -> Registration:
    """A cancelled registration with the same address is signed up again (the address is
    unique per event), with a new secret: links from the cancelled registration stop working.
    Its old answers are not this sign-up's."""
    for field, value in sign_up_values(registration.event, data).items():
        setattr(registration, field, value)
    db.session.flush()
    forget_answers(registration)
    return registration


def record_answers_and_choice(registration: Registration, data: dict) -> None:
    """The sign-up's answers and the person's marketing choice (it shows on all their
    registrations: app/privacy/consent.py)."""
    if data["answers"]:
        save_answers(registration, data["answers"])
    set_marketing_choice(
        data["email_normalized"],
        data["marketing_opt_in"],
        "sign-up",
        now=registration.registered_at,
        version=registration.marketing_consent_version,
        shown_on=registration.id,
    )


# Built once (see app/site/queries.py, PUBLIC_EVENT_BY_SLUG): every sign-up runs it.
TAKE_SEAT = (
    update(Event)
    .where(
        Event.id == bindparam("event_id"),
        (Event.capacity.is_(None)) | (Event.seats_taken < Event.capacity),
    )
    .values(seats_taken=Event.seats_taken + 1)
    .execution_options(**SEAT_COUNTER)
)


def take_seat(event: Event) -> bool:
    """Take one seat if one is free: one conditional UPDATE, true when it changed the row."""
    result = db.session.execute(TAKE_SEAT, {"event_id": event.id})
    db.session.expire(event, ["seats_taken"])
    return result.rowcount == 1


def release_seat(event: Event) -> None:
    db.session.execute(
        update(Event)
        .where(Event.id == event.id, Event.seats_taken > 0)
        .values(seats_taken=Event.seats_taken - 1)
        .execution_options(**SEAT_COUNTER)
    )
    db.session.expire(event, ["seats_taken"])


def take_waitlist_ticket(event: Event) -> int:
    """The next ticket in the event's queue, from an atomic counter: tickets never repeat."""
    ticket = db.session.execute(
        update(Event)
        .where(Event.id == event.id)
        .values(waitlist_issued=Event.waitlist_issued + 1)
        .returning(Event.waitlist_issued)
        .execution_options(**SEAT_COUNTER)
    ).scalar_one()
    db.session.expire(event, ["waitlist_issued"])
    return ticket


def can_cancel(registration: Registration) -> bool:
    """Attendees may cancel (an applicant: withdraw) until the event starts, unless it is
    cancelled, they did, or their application was declined."""
    event = registration.event
    return (
        registration.status not in (RegistrationStatus.CANCELLED, RegistrationStatus.DECLINED)
        and event.status != EventStatus.CANCELLED
        and event.starts_at > utcnow()
    )


class AlreadyCancelled(ValueError):
    """The registration was cancelled before (perhaps a moment ago, in another request)."""


def cancel_registration(registration: Registration) -> Registration | None:
    """Cancel; a freed seat goes to the first person waiting, in the same transaction.

    Queues the cancellation email (and the promotion email). Returns who was promoted.
    :raises AlreadyCancelled: when it is cancelled already.
    """
    previous = registration.status
    if previous == RegistrationStatus.CANCELLED:
        raise AlreadyCancelled("This registration is already cancelled.")
    # Conditional on the status we read: two cancels at once free the seat only once.
    changed = db.session.execute(
        update(Registration)
        .where(Registration.id == registration.id, Registration.status == previous)
        .values(status=RegistrationStatus.CANCELLED, cancelled_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(registration)
    if changed != 1:
        raise AlreadyCancelled("This registration is already cancelled.")
    release_agenda(registration)  # workshop seats go back with the event seat
    promoted = None
    if previous == RegistrationStatus.CONFIRMED:
        release_seat(registration.event)
        promoted = promote_next_waitlisted(registration.event)
    emails.queue_cancelled(registration, was_confirmed=previous == RegistrationStatus.CONFIRMED)
    return promoted


def promote_next_waitlisted(event: Event) -> Registration | None:
    """Give a free seat to the first person waiting; None if no seat or nobody waits.

    Call it again (e.g. after staff raise the capacity) until it returns None.
    """
    while True:
        candidate = db.session.scalar(
            select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.WAITLISTED,
            )
            .order_by(Registration.waitlist_ticket, Registration.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if candidate is None:
            return None
        promoted = promote_registration(candidate)
        if promoted is not None:
            return promoted
        if candidate.status == RegistrationStatus.WAITLISTED:
            return None  # still waiting, so there was no seat to give


def promote_registration(registration: Registration) -> Registration | None:
    """Give this waiting registration a seat (staff may pick someone out of order).

    Returns it, now confirmed, or None when no seat is free or it is no longer waiting.
    Queues the promotion email.
    """
    event = registration.event
    if not take_seat(event):
        return None
    changed = db.session.execute(
        update(Registration)
        .where(
            Registration.id == registration.id, Registration.status == RegistrationStatus.WAITLISTED
        )
        .values(status=RegistrationStatus.CONFIRMED, waitlist_ticket=None, promoted_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(registration)
    if changed != 1:
        release_seat(event)  # someone else cancelled or promoted them a moment ago
        return None
    emails.queue_promoted(registration)
    return registration
