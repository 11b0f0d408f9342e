"""What each email says: builders that render a text + HTML pair and queue it in the outbox.

Every builder only adds outbox rows to the current transaction; the caller commits, and the
mail goes out after that commit (or never, if the change is rolled back).
"""

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Event, OutboxMessage, Registration, RegistrationStatus
from app.models.questions import answers_of_registrations, event_questions
from app.outbox.queue import COMPOSERS, PREPARERS, enqueue
from app.registration.answers import answers_to_show
from app.registration.calendar import location, registration_ics
from app.registration.queries import active_registrations, waitlist_position
from app.registration.tokens import event_url, manage_url
from app.templating import event_when
from app.urls import site_url_for

COMPOSER = "registration"


def one_line(text: str) -> str:
    """Subjects are one line, whatever a title holds."""
    return " ".join(text.split())


def render_pair(name: str, **context) -> tuple[str, str]:
    """The plain-text and HTML bodies of email `name`."""
    context.setdefault("privacy_url", site_url_for("site.privacy"))
    return (
        render_template(f"email/{name}.txt", **context),
        render_template(f"email/{name}.html", **context),
    )


def registration_context(registration: Registration, *, stored_answers=None, **extra) -> dict:
    """What every registration email's templates are told; `stored_answers`: the
    registration's answers when they were read already (prepare)."""
    event = registration.event
    if "position" not in extra:
        extra["position"] = waitlist_position(registration)
    return {
        "registration": registration,
        "event": event,
        "when": event_when(event),
        "place": location(event) or "to be announced",
        "event_url": event_url(event),
        "manage_url": manage_url(registration),
        # Issue 13: the answers, never the sensitive ones (an email is a copy we cannot purge).
        "answers": answers_to_show(registration, include_sensitive=False, stored=stored_answers),
        **extra,
    }


def queue_registration_mail(
    registration: Registration,
    kind: str,
    template: str,
    subject: str,
    method: str | None = None,
    **extra,
) -> OutboxMessage:
    """Queue an email to the registration by its inputs: the template, what the template is
    told beyond the registration (`extra`, JSON) and, with `method`, a calendar file.

    Issue 16: the bodies and the calendar file are composed by the worker that delivers the
    message (compose, below), not in the request that queued it. Rendering them took 9 of a
    sign-up's 23 ms, inside the transaction that holds the event's seat lock, which every
    other sign-up for that event waits on. The row is written in the same transaction as the
    change, so the email is as certain as before; what it shows of the registration and the
    event is what they are when it is composed, a moment later (an edit in between shows the
    edit), and the subject, written now, says what happened.
    """
    return enqueue(
        kind,
        registration.email,
        one_line(subject),
        "",
        ics_method=method,
        registration=registration,
        compose={"composer": COMPOSER, "template": template, "context": extra},
    )


def compose(message: OutboxMessage, prepared: dict | None = None) -> bool:
    """Write the bodies and calendar file of a message queued by its inputs, once: all is
    worked out before any field is set (COMPOSERS, app/outbox/queue.py).

    False when its registration no longer exists (erased or purged meanwhile): nothing to say.
    """
    if message.registration_id is None:
        return False
    registration, answers = (prepared or {}).get(message.registration_id, (None, None))
    if registration is None:
        registration = db.session.get(
            Registration, message.registration_id, options=[joinedload(Registration.event)]
        )
    if registration is None:
        return False
    inputs = message.compose
    context = registration_context(registration, stored_answers=answers, **inputs["context"])
    text, html = render_pair(inputs["template"], subject=message.subject, **context)
    ics = registration_ics(registration, message.ics_method) if message.ics_method else None
    message.body_text, message.body_html = text, html
    if ics is not None:
        message.ics = ics
    message.compose = None
    return True


def prepare(messages: list[OutboxMessage]) -> dict[int, tuple[Registration, list]]:
    """{registration id: (registration with its event, its answers)} for a batch of messages:
    two queries for the batch instead of two for each message (compose is given it)."""
    ids = [message.registration_id for message in messages if message.registration_id]
    query = select(Registration).options(joinedload(Registration.event))
    registrations = db.session.scalars(query.where(Registration.id.in_(ids))).all() if ids else []
    answers = answers_of_registrations([registration.id for registration in registrations])
    return {
        registration.id: (registration, answers[registration.id]) for registration in registrations
    }


COMPOSERS[COMPOSER] = compose
PREPARERS[COMPOSER] = prepare


def queue_confirmation(
    registration: Registration, *, resent: bool = False, approved: bool = False
) -> OutboxMessage:
    """The email that follows a sign-up: seat confirmed, place on the waiting list, or
    application received (and after approval, `approved`: the seat or the waiting list).

    With `resent`, it is the same email again (a second sign-up with the same address).
    """
    if registration.status == RegistrationStatus.PENDING:
        return queue_application_received(registration, resent=resent)
    if registration.status == RegistrationStatus.DECLINED:
        return queue_declined(registration)
    if registration.status == RegistrationStatus.WAITLISTED:
        return queue_waitlisted(registration, resent=resent, approved=approved)
    if registration.status == RegistrationStatus.CANCELLED:
        return queue_cancelled(registration)
    title = registration.event.title
    subject = (
        f"Your registration for {title} (sent again)"
        if resent
        else f"Registration confirmed: {title}"
    )
    if approved:
        subject = f"Application approved, your seat is confirmed: {title}"
    return queue_registration_mail(
        registration,
        "confirmation",
        "confirmation",
        subject,
        "REQUEST",
        resent=resent,
        approved=approved,
    )


def queue_application_received(
    registration: Registration, *, resent: bool = False
) -> OutboxMessage:
    """An application to an event that needs approval: received, no seat yet, no calendar
    invitation (the event is not theirs until approved)."""
    title = registration.event.title
    subject = f"Application received{' (sent again)' if resent else ''}: {title}"
    return queue_registration_mail(registration, "application", "application_received", subject)


def queue_declined(registration: Registration, *, note: str = "") -> OutboxMessage:
    """The organisers could not offer a place; `note` is staff's own words, if any."""
    subject = f"About your application: {registration.event.title}"
    return queue_registration_mail(registration, "declined", "declined", subject, note=note)


def queue_details_changed(registration: Registration, changes: dict) -> OutboxMessage:
    """The attendee changed their details: what changed, before and after (sensitive answers
    named, their values not repeated)."""
    questions = event_questions(registration.event)
    sensitive = {question.label for question in questions if question.sensitive}
    listed = [
        (label, "(not repeated by email)" if label in sensitive else before,
         "(not repeated by email)" if label in sensitive else after)
        for label, (before, after) in changes.items()
    ]  # fmt: skip
    subject = f"Your details are updated: {registration.event.title}"
    return queue_registration_mail(
        registration, "details_changed", "details_changed", subject, changes=listed
    )


def queue_waitlisted(
    registration: Registration, *, resent: bool = False, approved: bool = False
) -> OutboxMessage:
    """The email for a sign-up that landed on the waiting list, with its position."""
    title = registration.event.title
    position = waitlist_position(registration)
    subject = (
        f"Your place on the waiting list for {title} (sent again)"
        if resent
        else f"On the waiting list (number {position}): {title}"
    )
    if approved:
        subject = f"Application approved, on the waiting list (number {position}): {title}"
    return queue_registration_mail(
        registration,
        "waitlisted",
        "waitlisted",
        subject,
        "REQUEST",
        resent=resent,
        approved=approved,
        position=position,  # the body says the number the subject says
    )


def queue_promoted(registration: Registration) -> OutboxMessage:
    """A seat came free and this waiting registration now holds it."""
    subject = f"A seat is yours: {registration.event.title}"
    return queue_registration_mail(registration, "promotion", "promoted", subject, "REQUEST")


def queue_cancelled(registration: Registration, *, was_confirmed: bool = False) -> OutboxMessage:
    """The attendee cancelled; the attached calendar file withdraws the entry (METHOD:CANCEL)."""
    subject = f"Registration cancelled: {registration.event.title}"
    return queue_registration_mail(
        registration,
        "cancellation",
        "cancelled",
        subject,
        "CANCEL",
        was_confirmed=was_confirmed,
    )


def queue_event_updated(event: Event, *, note: str = "") -> int:
    """Tell every confirmed and waiting attendee that date, time or place changed.

    Call after raising event.sequence: the attached calendar entries keep their UIDs and carry
    the higher SEQUENCE, so calendars update the entry instead of adding a second one.
    Returns how many messages were queued.
    """
    subject = f"Changed: new details for {event.title}"
    return queue_for_attendees(event, "event_updated", subject, "REQUEST", note)


def queue_event_cancelled(event: Event, *, note: str = "") -> int:
    """Tell every confirmed and waiting attendee, and every applicant still waiting for a
    decision (their "the answer comes by email" would otherwise never come), that the event
    is cancelled (METHOD:CANCEL).

    Returns how many messages were queued.
    """
    return queue_for_attendees(
        event, "event_cancelled", f"Cancelled: {event.title}", "CANCEL", note, applications=True
    )


def queue_for_attendees(
    event: Event, kind: str, subject: str, method: str, note: str, applications: bool = False
) -> int:
    """One message of `kind` (its template has the same name) to each active registration."""
    registrations = active_registrations(event, applications=applications)
    for registration in registrations:
        queue_registration_mail(registration, kind, kind, subject, method, note=note)
    return len(registrations)
