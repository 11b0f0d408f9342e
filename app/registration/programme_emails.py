"""The email for sessions that moved, were renamed or cancelled after attendees chose them.

Editors often change several things in a row; each person gets one email for the whole batch,
a few minutes after the last edit (PROGRAMME_CHANGE_DELAY_SECONDS), listing every changed
session they chose, with the updated calendar entries attached. A session's pending change is
claimed by a conditional UPDATE before its email is queued, so with several delivering
processes each change is emailed once.
"""

from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import select, update

from app.db import utcnow
from app.extensions import db
from app.models import (
    AgendaChoice,
    Event,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
)
from app.outbox.queue import enqueue
from app.outbox.schedule import register_job
from app.registration.emails import one_line, render_pair
from app.registration.programme_calendar import sessions_ics
from app.registration.tokens import manage_url
from app.urls import site_url_for


def claim_pending(event: Event | None, older_than: timedelta | None) -> list[ProgrammeSession]:
    """The sessions with an unsent change (the last edit at least `older_than` ago), each
    claimed by this process: its mark cleared by a conditional UPDATE that changed one row."""
    query = select(ProgrammeSession).where(ProgrammeSession.change_pending_since.is_not(None))
    if event is not None:
        query = query.where(ProgrammeSession.event_id == event.id)
    if older_than is not None:
        query = query.where(ProgrammeSession.updated_at <= utcnow() - older_than)
    claimed = []
    for session in db.session.scalars(query.order_by(ProgrammeSession.id)).all():
        changed = db.session.execute(
            update(ProgrammeSession)
            .where(
                ProgrammeSession.id == session.id,
                ProgrammeSession.change_pending_since == session.change_pending_since,
            )
            .values(change_pending_since=None, updated_at=ProgrammeSession.updated_at)
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed == 1:
            claimed.append(session)
    return claimed


def send_pending_changes(event: Event | None = None, older_than: timedelta | None = None) -> int:
    """Queue one email per attendee for every pending session change; returns how many.

    Only confirmed attendees who chose a changed session hear about it. Flushes; the caller
    commits.
    """
    sessions = claim_pending(event, older_than)
    if not sessions:
        return 0
    by_id = {session.id: session for session in sessions}
    rows = db.session.execute(
        select(AgendaChoice.registration_id, AgendaChoice.session_id)
        .join(Registration, Registration.id == AgendaChoice.registration_id)
        .where(
            AgendaChoice.session_id.in_(by_id),
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .order_by(AgendaChoice.registration_id, AgendaChoice.session_id)
    ).all()
    changed: dict[int, list[ProgrammeSession]] = {}
    for registration_id, session_id in rows:
        changed.setdefault(registration_id, []).append(by_id[session_id])
    for registration_id, their_sessions in changed.items():
        queue_sessions_changed(db.session.get(Registration, registration_id), their_sessions)
    return len(changed)


def queue_sessions_changed(registration: Registration, sessions: list[ProgrammeSession]):
    """The attendee's email about changed sessions, with the updated calendar entries."""
    event = registration.event
    sessions = sorted(sessions, key=lambda session: (session.starts_at, session.id))
    subject = one_line(f"Programme change: {event.title}")
    text, html = render_pair(
        "sessions_changed",
        subject=subject,
        registration=registration,
        event=event,
        sessions=sessions,
        manage_url=manage_url(registration),
        programme_url=site_url_for("site.programme", slug=event.slug),
    )
    ics = sessions_ics(f"{event.title}: my agenda", event, sessions, "PUBLISH")
    return enqueue(
        "sessions_changed",
        registration.email,
        subject,
        text,
        html,
        ics=ics,
        ics_method="PUBLISH",
        registration=registration,
    )


def run_batched_changes() -> str:
    """The scheduled job: email changes whose last edit is older than the batching delay."""
    delay = timedelta(seconds=current_app.config["PROGRAMME_CHANGE_DELAY_SECONDS"])
    sent = send_pending_changes(older_than=delay)
    db.session.commit()
    return f"emailed {sent} attendees about programme changes"


def register_jobs(app: Flask) -> None:
    """Have the mail-delivering processes send batched changes; a check interval of 0 turns
    that off (staff then send with the button on the sessions page)."""
    if not app.config["PROGRAMME_CHANGE_CHECK_SECONDS"]:
        return
    register_job(
        app,
        "programme_changes",
        lambda app: app.config["PROGRAMME_CHANGE_CHECK_SECONDS"],
        run_batched_changes,
    )
