"""The attendee list of an event (staff): counts, search, filter, and per-attendee actions."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.extensions import db
from app.models import REGISTRATION_STATUSES, Event, Question, Registration, Role
from app.models import RegistrationStatus as Status
from app.models.questions import event_questions, registration_answers
from app.pagination import paginate
from app.registration.answers import (
    answers_by_registration,
    answers_to_show,
    field_name,
    save_answers,
)
from app.registration.queries import waitlist_positions
from app.registration.question_fields import stored_to_form, with_questions
from app.staff.forms import DecisionForm, EmptyForm
from app.staff.services.attendees import (
    PER_PAGE,
    SHEET_PER_PAGE,
    AttendeeError,
    approve,
    attendee_counts,
    attendee_list,
    cancel,
    decline,
    find_attendee,
    promote,
    record_staff_answers,
    toggle_check_in,
)
from app.staff.views.access import role_required, safe_next
from app.staff.views.attendee_rows import attendee_rows
from app.staff.views.blueprint import bp
from app.staff.views.events import get_event_or_404


@bp.get("/events/<slug>/attendees")
@role_required(Role.STAFF)
def attendees(slug: str):
    event = get_event_or_404(slug)
    search = request.args.get("q", "").replace("\x00", "").strip()[:200]
    status = request.args.get("status", "")
    status = status if status in REGISTRATION_STATUSES else ""
    # The printable check-in sheet wants everyone on one page.
    per_page = SHEET_PER_PAGE if request.args.get("sheet") else PER_PAGE
    counts = attendee_counts(event)
    # Without a search the counts already say how many rows match: no count query.
    total = None if search else counts.having(status)
    params = {"event_id": event.id, "status": status}
    pagination = paginate(attendee_list(search, status), per_page, total, params=params)
    questions = shown_questions(event)
    items = pagination.items
    # Only people still waiting have a place in line: a page without any costs no query.
    positions = waitlist_positions(
        event, [row.id for row in items if row.status == Status.WAITLISTED]
    )
    # Issue 13: each row's answers; sensitive ones only for marketing and admins.
    answers = answers_by_registration([row.id for row in items]) if questions else {}
    rows = attendee_rows(
        items,
        zone=event.timezone,
        slug=slug,
        with_picks=bool(counts.pending),
        seat_free=counts.seats_left is None or counts.seats_left > 0,
        questions=questions,
        answers=answers,
        positions=positions,
    )
    return render_template(
        "staff/attendees.html",
        event=event,
        counts=counts,
        pagination=pagination,
        rows=rows,
        search=search,
        status=status,
        statuses=REGISTRATION_STATUSES,
        # The form for deciding on applications shows only while some are waiting.
        decision_form=DecisionForm() if counts.pending else None,
    )


def shown_questions(event: Event) -> list[Question]:
    """The questions whose answers the signed-in staff member sees on the list."""
    may_see_sensitive = current_user.has_role(Role.MARKETING)
    return [q for q in event_questions(event) if may_see_sensitive or not q.sensitive]


@bp.post("/events/<slug>/attendees/<int:registration_id>/cancel")
@role_required(Role.STAFF)
def attendee_cancel(slug: str, registration_id: int):
    return attendee_action(slug, registration_id, cancel)


@bp.post("/events/<slug>/attendees/<int:registration_id>/promote")
@role_required(Role.STAFF)
def attendee_promote(slug: str, registration_id: int):
    return attendee_action(slug, registration_id, promote)


@bp.post("/events/<slug>/attendees/<int:registration_id>/check-in")
@role_required(Role.STAFF)
def attendee_check_in(slug: str, registration_id: int):
    return attendee_action(slug, registration_id, toggle_check_in)


@bp.post("/events/<slug>/attendees/<int:registration_id>/approve")
@role_required(Role.STAFF)
def attendee_approve(slug: str, registration_id: int):
    return attendee_action(slug, registration_id, approve)


@bp.post("/events/<slug>/attendees/<int:registration_id>/decline")
@role_required(Role.STAFF)
def attendee_decline(slug: str, registration_id: int):
    return attendee_action(slug, registration_id, decline)


@bp.post("/events/<slug>/attendees/decide")
@role_required(Role.STAFF)
def attendees_decide(slug: str):
    """Approve or decline the ticked applications: each its own transaction, in list order,
    so a full event stops the approvals it cannot honour without undoing the others."""
    event = get_event_or_404(slug)
    form = DecisionForm()
    back = url_for("staff.attendees", slug=event.slug, status="pending")
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(errors), "error")
        return redirect(safe_next(request.form.get("back"), back))
    for registration_id in form.registration_ids.data:
        registration = find_attendee(event, registration_id)
        if registration is None:
            continue
        try:
            if form.decision.data == "approve":
                message = approve(registration)
            else:
                message = decline(registration, form.note.data or "")
            db.session.commit()
            flash(message, "success")
        except AttendeeError as error:
            db.session.rollback()
            flash(str(error), "error")
    return redirect(safe_next(request.form.get("back"), back))


def attendee_action(slug: str, registration_id: int, action):
    """Run one action on one registration of the event, commit, and go back to the list."""
    event = get_event_or_404(slug)
    registration = registration_of(event, registration_id)
    try:
        message = action(registration)
        db.session.commit()
        flash(message, "success")
    except AttendeeError as error:
        db.session.rollback()
        flash(str(error), "error")
    back = url_for("staff.attendees", slug=event.slug)
    return redirect(safe_next(request.form.get("back"), back))


def registration_of(event: Event, registration_id: int) -> Registration:
    return find_attendee(event, registration_id) or abort(404)


@bp.route("/events/<slug>/attendees/<int:registration_id>/answers", methods=["GET", "POST"])
@role_required(Role.STAFF)
def attendee_answers(slug: str, registration_id: int):
    """Staff fill in the staff-only questions of one registration (e.g. "badge printed")."""
    event = get_event_or_404(slug)
    registration = registration_of(event, registration_id)
    questions = [q for q in event_questions(event) if q.staff_only and not q.retired]
    stored = {a.question_id: a for a in registration_answers(registration)}
    data = {
        field_name(q): stored_to_form(q, stored[q.id].value) for q in questions if q.id in stored
    }
    form_class = with_questions(EmptyForm, questions, "StaffAnswersForm")
    form = form_class(data=data)
    form.answer_values = {}
    if form.validate_on_submit():
        changes = save_answers(registration, form.answer_values)
        if changes:
            record_staff_answers(registration, changes)
        db.session.commit()
        flash(f"Saved the staff answers for {registration.name}.", "success")
        return redirect(url_for("staff.attendees", slug=event.slug))
    fields = [(q, form[field_name(q)]) for q in questions]
    return render_template(
        "staff/attendee_answers.html",
        event=event,
        registration=registration,
        form=form,
        fields=fields,
        answers=answers_to_show(registration, include_staff_only=True),
    )
