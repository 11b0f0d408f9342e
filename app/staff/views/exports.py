"""Attendee exports (staff): one event's list or every event's, as CSV or XLSX, audited."""

from collections.abc import Iterator
from functools import wraps

from flask import Response, abort, request, stream_with_context
from flask_login import current_user

from app.db import sqlite_immediate, utcnow
from app.models import Event, Role
from app.staff.services.exports import csv_chunks, record_export, xlsx_file_chunks
from app.staff.views.access import role_required
from app.staff.views.blueprint import bp
from app.staff.views.events import get_event_or_404

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def refuse_cross_site(view):
    """403 for a download started from another site (the Lax session cookie rides along on
    top-level links); same-site links, typed URLs and scripts without the header still work."""

    @wraps(view)
    def checked(*args, **kwargs):
        if request.headers.get("Sec-Fetch-Site", "").strip().lower() == "cross-site":
            abort(403)
        return view(*args, **kwargs)

    return checked


@bp.get("/events/<slug>/attendees.csv")
@role_required(Role.STAFF)
@refuse_cross_site
def event_attendees_csv(slug: str):
    event = get_event_or_404(slug)
    record_export(event, "csv", current_user.id)
    return csv_response(event, f"{event.slug}-attendees")


@bp.get("/events/<slug>/attendees.xlsx")
@role_required(Role.STAFF)
@refuse_cross_site
def event_attendees_xlsx(slug: str):
    event = get_event_or_404(slug)
    record_export(event, "xlsx", current_user.id)
    return xlsx_response(event, f"{event.slug}-attendees")


@bp.get("/attendees.csv")
@role_required(Role.STAFF)
@refuse_cross_site
def all_attendees_csv():
    record_export(None, "csv", current_user.id)
    return csv_response(None, "all-events-attendees")


@bp.get("/attendees.xlsx")
@role_required(Role.STAFF)
@refuse_cross_site
def all_attendees_xlsx():
    record_export(None, "xlsx", current_user.id)
    return xlsx_response(None, "all-events-attendees")


def streamed(chunks) -> Iterator[bytes]:
    # Reading for minutes must not hold SQLite's writer lock: plain BEGIN, not IMMEDIATE.
    token = sqlite_immediate.set(False)
    try:
        yield from chunks
    finally:
        sqlite_immediate.reset(token)


def csv_response(event: Event | None, name: str) -> Response:
    response = Response(stream_with_context(streamed(csv_chunks(event))), mimetype="text/csv")
    response.headers["Content-Disposition"] = attachment(name, "csv")
    return response


def xlsx_response(event: Event | None, name: str) -> Response:
    """Streamed like the CSV: the first bytes leave before the first row is read, so no
    proxy's read timeout waits on a workbook being assembled."""
    chunks = streamed(xlsx_file_chunks(event))
    response = Response(stream_with_context(chunks), mimetype=XLSX_MIMETYPE)
    # As send_file wrote it before the workbook was streamed (no quotes around a plain name).
    response.headers["Content-Disposition"] = f"attachment; filename={name}-{utcnow():%Y%m%d}.xlsx"
    return response


def attachment(name: str, extension: str) -> str:
    return f'attachment; filename="{name}-{utcnow():%Y%m%d}.{extension}"'
