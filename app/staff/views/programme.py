"""The programme editor (marketing): an event's sessions, added, edited, removed, a day copied."""

from flask import abort, flash, redirect, render_template, url_for

from app.content import render_markdown
from app.extensions import db
from app.models import Event, ProgrammeSession, Role, SessionStatus
from app.models.programme import event_programme
from app.registration.programme_emails import send_pending_changes
from app.staff.forms import EmptyForm, show_errors
from app.staff.programme_forms import CopyDayForm, SessionForm
from app.staff.services.events import find_event
from app.staff.services.programme import (
    copy_day,
    event_days,
    find_session,
    remove_session,
    save_session,
    speaker_choices,
)
from app.staff.services.publishing import EditError, to_local
from app.staff.views.access import role_required
from app.staff.views.blueprint import bp
from app.staff.views.saving import save_form


@bp.route("/events/<slug>/sessions", methods=["GET", "POST"])
@role_required(Role.MARKETING)
def sessions(slug: str):
    """The programme and, below it, the form to add a session."""
    event = find_event(slug) or abort(404)
    return session_editor(event, None)


@bp.route("/events/<slug>/sessions/<int:session_id>", methods=["GET", "POST"])
@role_required(Role.MARKETING)
def session_edit(slug: str, session_id: int):
    event = find_event(slug) or abort(404)
    return session_editor(event, find_session(event, session_id) or abort(404))


def session_editor(event: Event, session: ProgrammeSession | None):
    form = session_form(event, session)
    preview = None
    if form.is_submitted() and form.preview.data:
        preview = render_markdown(form.description.data or "")
    elif form.validate_on_submit():
        saved = save_form(form, lambda values: save_session(event, session, values))
        if saved is not None:
            flash(f"Saved the session “{saved.title}”.", "success")
            return redirect(url_for("staff.sessions", slug=event.slug))
    return render_template(
        "staff/sessions.html",
        event=event,
        session=session,
        sessions=event_programme(event),
        form=form,
        copy_form=copy_form(event),
        button_form=EmptyForm(),
        preview=preview,
    )


def session_form(event: Event, session: ProgrammeSession | None) -> SessionForm:
    data = {"status": SessionStatus.SCHEDULED, "kind": "talk"}
    if session is not None:
        data.update(
            title=session.title,
            kind=session.kind,
            room=session.room,
            capacity=session.capacity,
            status=session.status,
            description=session.description_md,
            speaker_ids=[speaker.id for speaker in session.speakers],
            starts_at=to_local(session.starts_at, event.timezone),
            ends_at=to_local(session.ends_at, event.timezone),
        )
    form = SessionForm(data=data)
    form.speaker_ids.choices = speaker_choices()
    return form


def copy_form(event: Event) -> CopyDayForm:
    form = CopyDayForm()
    form.set_days(event_days(event))
    return form


@bp.post("/events/<slug>/sessions/<int:session_id>/remove")
@role_required(Role.MARKETING)
def session_remove(slug: str, session_id: int):
    event = find_event(slug) or abort(404)
    session = find_session(event, session_id) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    title = session.title
    outcome = remove_session(session)
    db.session.commit()
    if outcome == "removed":
        flash(f"Removed the session “{title}”.", "success")
    else:
        flash(
            f"Attendees had chosen “{title}”, so it is marked cancelled instead of removed; "
            "they will be told.",
            "success",
        )
    return redirect(url_for("staff.sessions", slug=event.slug))


@bp.post("/events/<slug>/sessions/copy-day")
@role_required(Role.MARKETING)
def sessions_copy_day(slug: str):
    event = find_event(slug) or abort(404)
    form = copy_form(event)
    if form.validate_on_submit():
        try:
            copied = copy_day(event, form.from_day.data, form.to_day.data)
            db.session.commit()
        except EditError as error:
            db.session.rollback()
            show_errors(form, error.errors)
        else:
            flash(f"Copied {copied} session{'s' if copied != 1 else ''}.", "success")
            return redirect(url_for("staff.sessions", slug=event.slug))
    return render_template(
        "staff/sessions.html",
        event=event,
        session=None,
        sessions=event_programme(event),
        form=session_form(event, None),
        copy_form=form,
        button_form=EmptyForm(),
        preview=None,
    )


@bp.post("/events/<slug>/sessions/send-changes")
@role_required(Role.MARKETING)
def sessions_send_changes(slug: str):
    event = find_event(slug) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    sent = send_pending_changes(event=event)
    db.session.commit()
    flash(f"Emailed {sent} attendee{'s' if sent != 1 else ''} about the changes.", "success")
    return redirect(url_for("staff.sessions", slug=event.slug))
