"""The attendee list of an event (staff): counts, search, filter, and per-attendee actions."""

from flask import abort, flash, redirect, render_template, request, url_for

from app.extensions import db
from app.models import REGISTRATION_STATUSES, Event, Registration, Role
from app.models import RegistrationStatus as Status
from app.pagination import paginate
from app.registration.queries import waitlist_positions
from app.staff.services.attendees import (
    PER_PAGE,
    SHEET_PER_PAGE,
    AttendeeError,
    attendee_counts,
    attendee_list,
    cancel,
    find_attendee,
    promote,
    toggle_check_in,
)
from app.staff.views.access import role_required, safe_next
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
    pagination = paginate(attendee_list(event, search, status), per_page)
    return render_template(
        "staff/attendees.html",
        event=event,
        counts=attendee_counts(event),
        pagination=pagination,
        # Only people still waiting have a place in line: a page without any costs no query.
        positions=waitlist_positions(
            event, [row.id for row in pagination.items if row.status == Status.WAITLISTED]
        ),
        search=search,
        status=status,
        statuses=REGISTRATION_STATUSES,
    )


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
