"""Event list (staff) and the event editor (marketing); a new cover image may be uploaded on
the editor itself (so its POSTs take the upload body limit)."""

from flask import abort, flash, redirect, render_template, url_for

from app.content import render_markdown
from app.extensions import csrf
from app.models import Event, EventStatus, Role
from app.models.content import library_image
from app.staff.forms import EventForm, image_choices, timezone_choices
from app.staff.services.attendees import status_counts_by_event
from app.staff.services.events import TIME_FIELDS, all_events, find_event, save_event
from app.staff.services.publishing import suggest_slug, to_local
from app.staff.views.access import role_required
from app.staff.views.blueprint import bp
from app.staff.views.saving import note_upload_not_kept, save_form
from app.staff.views.uploads import accept_editor_body


@bp.get("/events/")
@role_required(Role.STAFF)
def events():
    counts = status_counts_by_event()
    return render_template("staff/events.html", events=all_events(), counts=counts)


@bp.route("/events/new", methods=["GET", "POST"])
@csrf.exempt  # checked by accept_editor_body(), after the body limit is raised
@role_required(Role.MARKETING)
def event_new():
    return event_editor(None)


@bp.route("/events/<slug>/edit", methods=["GET", "POST"])
@csrf.exempt  # checked by accept_editor_body(), after the body limit is raised
@role_required(Role.MARKETING)
def event_edit(slug: str):
    return event_editor(get_event_or_404(slug))


def get_event_or_404(slug: str) -> Event:
    return find_event(slug) or abort(404)


def event_editor(event: Event | None):
    too_large = accept_editor_body()
    form = event_form(event, read_request=not too_large)
    preview = None
    if too_large:
        form.new_image.errors = [too_large]
        return render_template("staff/event_form.html", form=form, event=event), 413
    if form.is_submitted() and form.preview.data:
        preview = render_markdown(form.description.data or "", find_image=library_image)
        exclude = event.id if event is not None else None
        form.slug.data = form.slug.data or suggest_slug(Event, form.title.data or "", exclude)
    elif form.validate_on_submit():
        saved = save_form(form, lambda values: save_event(event, values))
        if saved is not None:
            flash(f"Saved “{saved.title}”.", "success")
            return redirect(url_for("staff.event_edit", slug=saved.slug))
    note_upload_not_kept(form)  # a preview or a refused save kept no file
    return render_template("staff/event_form.html", form=form, event=event, preview=preview)


def event_form(event: Event | None, read_request: bool = True) -> EventForm:
    data = {"status": EventStatus.DRAFT, "waitlist_enabled": True, "timezone": "Europe/Berlin"}
    if event is not None:
        data.update(
            {
                field: getattr(event, field)
                for field in (
                    "title",
                    "slug",
                    "kind",
                    "summary",
                    "what_to_bring",
                    "timezone",
                    "venue",
                    "address",
                    "city",
                    "country",
                    "capacity",
                    "waitlist_enabled",
                    "remind_waitlisted",
                    "approval_required",
                    "status",
                )  # fmt: skip
            }
        )
        data["description"] = event.description_md
        data["reminder_days"] = ", ".join(event.reminder_days.split(","))
        data["image"] = event.image_id
        for field in (*TIME_FIELDS, "published_at"):
            data[field] = to_local(getattr(event, field), event.timezone)
    form = EventForm(data=data) if read_request else EventForm(formdata=None, data=data)
    form.timezone.choices = timezone_choices(event.timezone if event else None)
    form.image.choices = image_choices()
    return form
