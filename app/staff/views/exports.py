"""Attendee exports (staff): one event's list or every event's, as CSV or XLSX, audited."""

import tempfile
from functools import wraps

from flask import Response, abort, request, send_file, stream_with_context
from flask_login import current_user

from app.db import sqlite_immediate, utcnow
from app.models import Event, Role
from app.staff.services.exports import csv_chunks, record_export, write_xlsx
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


def csv_response(event: Event | None, name: str) -> Response:
    def generate():
        # Reading for minutes must not hold SQLite's writer lock: plain BEGIN, not IMMEDIATE.
        token = sqlite_immediate.set(False)
        try:
            yield from csv_chunks(event)
        finally:
            sqlite_immediate.reset(token)

    response = Response(stream_with_context(generate()), mimetype="text/csv")
    response.headers["Content-Disposition"] = attachment(name, "csv")
    return response


def xlsx_response(event: Event | None, name: str) -> Response:
    # A temporary file, not memory: the workbook is zipped on disk, then sent in chunks and
    # deleted when the response closes it.
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115  (send_file closes it)
    try:
        write_xlsx(event, handle)
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    return send_file(
        handle,
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=f"{name}-{utcnow():%Y%m%d}.xlsx",
        max_age=0,
    )


def attachment(name: str, extension: str) -> str:
    return f'attachment; filename="{name}-{utcnow():%Y%m%d}.{extension}"'
