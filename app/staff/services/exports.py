"""Attendee exports: the columns, the rows streamed from the database, CSV and XLSX writers,
and the audit entry each export leaves.

Rows come from one query (waitlist positions from a window function, not a query per row)
read in batches from a server-side cursor, so memory stays flat however long the list is.
"""

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import Select, select

from app.db import sqlite_immediate
from app.extensions import db
from app.models import Event, Question, Registration
from app.models.questions import event_questions
from app.registration.answers import answers_by_registration
from app.registration.queries import status_order, waitlist_position_column
from app.staff.services import audit

# The public contract (DESIGN.md): these first, in this order. More may follow.
COLUMNS = (
    "name", "email", "company", "job_title", "dietary", "accessibility", "status",
    "waitlist_position", "registered_at", "cancelled_at", "checked_in_at", "consent_at",
    "marketing_opt_in", "event",
)  # fmt: skip
# Then the consent proof (issue 11, app/privacy/versions.py), then (per-event lists) one
# column per question headed by its label (issue 13), then our own extras; `updated_at` tells
# which rows changed since an earlier export.
CONSENT_COLUMNS = ("consent_version", "marketing_consent_version")
EXTRA_COLUMNS = (
    "event_title", "event_starts_at", "marketing_opt_in_at", "promoted_at", "updated_at",
)  # fmt: skip
HEADER = COLUMNS + CONSENT_COLUMNS + EXTRA_COLUMNS
FIXED = len(COLUMNS) + len(CONSENT_COLUMNS)

# A spreadsheet runs a cell starting with one of these as a formula (or DDE command).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 1000
UTF8_BOM = "\ufeff"


def neutralise(text: str) -> str:
    """Text a spreadsheet shows as typed: a leading apostrophe stops formulas from running."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def cell(value: Any) -> Any:
    """One exported value: times in ISO 8601 UTC, yes/no, text neutralised; numbers kept."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, int):
        return value
    return neutralise(str(value))


def export_query(event: Event | None) -> Select:
    """The rows of one event's list, or of every event's when `event` is None."""
    query = (
        select(
            Registration.name,
            Registration.email,
            Registration.company,
            Registration.job_title,
            Registration.dietary,
            Registration.accessibility,
            Registration.status,
            waitlist_position_column().label("waitlist_position"),
            Registration.registered_at,
            Registration.cancelled_at,
            Registration.checked_in_at,
            Registration.consent_at,
            Registration.marketing_opt_in,
            Event.slug,
            Registration.consent_version,
            Registration.marketing_consent_version,
            Event.title,
            Event.starts_at,
            Registration.marketing_opt_in_at,
            Registration.promoted_at,
            Registration.updated_at,
            Registration.id,
        )
        .join(Event, Event.id == Registration.event_id)
        .order_by(
            Event.starts_at, Event.id, status_order(), Registration.registered_at, Registration.id
        )
    )
    if event is not None:
        query = query.where(Registration.event_id == event.id)
    return query


def export_questions(event: Event | None) -> list[Question]:
    """The questions with a column: every question of the event, retired ones too."""
    return event_questions(event) if event is not None else []


def export_header(questions: list[Question]) -> list[str]:
    labels = [question.label for question in questions]
    return [*HEADER[:FIXED], *labels, *HEADER[FIXED:]]


def export_rows(event: Event | None, questions: list[Question]) -> Iterator[list[Any]]:
    """The data rows, ready to write, read from a server-side cursor in batches; each batch's
    answers come from one more query."""
    result = db.session.execute(export_query(event).execution_options(yield_per=BATCH))
    for batch in result.partitions():
        answers = batch_answers([row[-1] for row in batch]) if questions else {}
        for row in batch:
            *values, registration_id = row
            mine = answers.get(registration_id, {})
            answer_cells = [mine.get(question.id, "") for question in questions]
            cells = [cell(value) for value in values]
            yield [*cells[:FIXED], *(cell(a) for a in answer_cells), *cells[FIXED:]]


def batch_answers(registration_ids: list[int]) -> dict[int, dict[int, str]]:
    """{registration id: {question id: answer}}; several choices joined with "; "."""
    return {
        registration_id: {q: "; ".join(value.splitlines()) for q, value in answers.items()}
        for registration_id, answers in answers_by_registration(registration_ids).items()
    }


def csv_chunks(event: Event | None) -> Iterator[bytes]:
    """The CSV file in pieces: UTF-8 with a BOM (so Excel reads accents), header row first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(UTF8_BOM)
    questions = export_questions(event)
    writer.writerow([cell(label) for label in export_header(questions)])
    for n, row in enumerate(export_rows(event, questions), start=1):
        writer.writerow(row)
        if n % BATCH == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_xlsx(event: Event | None, target: IO[bytes]) -> None:
    """Write the list as an XLSX workbook to `target`; write-only mode keeps rows on disk."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="Attendees")
    questions = export_questions(event)
    sheet.append([xlsx_safe(cell(label)) for label in export_header(questions)])
    for row in export_rows(event, questions):
        sheet.append([xlsx_safe(value) for value in row])
    workbook.save(target)


def xlsx_safe(value: Any) -> Any:
    """A value for an XLSX cell: empty text as no cell at all (openpyxl skips None: faster)."""
    if not isinstance(value, str):
        return value
    if value == "":
        return None
    # XML inside an XLSX file cannot hold control characters; removing one may uncover a
    # formula trigger ("\x01=..."), so neutralise again after.
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))


def record_export(event: Event | None, file_format: str, user_id: int) -> None:
    """Log who exported which list, committed before the first byte is sent."""
    what = f"attendees of “{event.title}”" if event is not None else "attendees of all events"
    # This write happens in a GET, whose SQLite transactions are deferred (read-only) by
    # default: end the read, then write in an immediate transaction like any POST.
    db.session.commit()
    token = sqlite_immediate.set(True)
    try:
        audit.record(
            f"export.{file_format}",
            event,
            f"Exported {what} as {file_format.upper()}",
            {"list": {"before": None, "after": event.slug if event else "all events"}},
            user_id=user_id,
        )
        db.session.commit()
    finally:
        sqlite_immediate.reset(token)
