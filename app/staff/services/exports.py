"""Attendee exports: the columns, the rows streamed from the database, CSV and XLSX writers,
and the audit entry each export leaves.

Rows come from one query (waitlist positions from a window function, not a query per row)
read in batches from a server-side cursor, so memory stays flat however long the list is.
"""

import csv
import io
import itertools
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import Select, String, func, select, type_coerce

from app.db import sqlite_immediate
from app.extensions import db
from app.models import Event, Question, Registration
from app.models.questions import event_questions
from app.registration.answers import answers_by_registration
from app.registration.queries import status_order, waitlist_position_column
from app.staff.services import audit
from app.staff.services.xlsx_stream import xlsx_chunks

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
TRIGGER_CHARACTERS = frozenset(FORMULA_TRIGGERS)
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


def utc_text(column, dialect: str):
    """`column` (a UTCDateTime) as the database's own text in ISO 8601 UTC to the second,
    exactly what `cell` makes of the datetime, without building 100,000s of datetime objects
    in Python just to print them (on SQLite they are parsed from text first)."""
    if dialect == "sqlite":  # stored as "YYYY-MM-DD HH:MM:SS.ffffff" in UTC
        text = func.strftime("%Y-%m-%dT%H:%M:%S+00:00", column)
    elif dialect == "postgresql":
        text = func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')
    else:
        return column
    return type_coerce(text, String).label(column.key)


def export_query(event: Event | None, dialect: str = "") -> Select:
    """The rows of one event's list, or of every event's when `event` is None; with a
    `dialect`, times come as text made by the database (utc_text)."""

    def when(column):
        return utc_text(column, dialect)

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
            when(Registration.registered_at),
            when(Registration.cancelled_at),
            when(Registration.checked_in_at),
            when(Registration.consent_at),
            Registration.marketing_opt_in,
            Event.slug,
            Registration.consent_version,
            Registration.marketing_consent_version,
            Event.title,
            when(Event.starts_at),
            when(Registration.marketing_opt_in_at),
            when(Registration.promoted_at),
            when(Registration.updated_at),
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


def text_cell(value: str | None) -> str:
    if value is None:
        return ""
    return "'" + value if value[:1] in TRIGGER_CHARACTERS else value


def time_cell(value: datetime | None) -> str:
    return "" if value is None else value.isoformat(timespec="seconds")


def bool_cell(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def int_cell(value: int | None) -> int | str:
    return "" if value is None else value


CELL_FOR_TYPE = {str: text_cell, datetime: time_cell, bool: bool_cell, int: int_cell}


def column_cells(query: Select) -> list:
    """For each column of `query`, the function making its values what `cell` would make of
    them, chosen once from the column's type instead of asking every value what it is."""
    converters = []
    for column in query.selected_columns:
        column_type = getattr(column.type, "impl_instance", column.type)  # TypeDecorators
        try:
            python_type = column_type.python_type
        except NotImplementedError:
            python_type = None
        converters.append(CELL_FOR_TYPE.get(python_type, cell))
    return converters


def export_questions(event: Event | None) -> list[Question]:
    """The questions with a column: every question of the event, retired ones too."""
    return event_questions(event) if event is not None else []


def export_header(questions: list[Question]) -> list[str]:
    labels = [question.label for question in questions]
    return [*HEADER[:FIXED], *labels, *HEADER[FIXED:]]


def export_rows(event: Event | None, questions: list[Question]) -> Iterator[list[Any]]:
    """The data rows, ready to write, read from a server-side cursor in batches (plain Core
    rows: the ORM has no objects to build here); each batch's answers come from one more
    query."""
    connection = db.session.connection()
    query = export_query(event, connection.dialect.name)
    converters = column_cells(query)[:-1]  # the last column, the id, is not exported
    result = connection.execute(query.execution_options(yield_per=BATCH))
    for batch in result.partitions():
        answers = batch_answers([row[-1] for row in batch]) if questions else {}
        for row in batch:
            *values, registration_id = row
            cells = [convert(value) for convert, value in zip(converters, values, strict=True)]
            if questions:
                mine = answers.get(registration_id, {})
                cells[FIXED:FIXED] = [cell(mine.get(question.id, "")) for question in questions]
            yield cells


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


def xlsx_file_chunks(event: Event | None) -> Iterator[bytes]:
    """The list as an XLSX workbook, in pieces sent as they are made (xlsx_stream.py)."""
    questions = export_questions(event)
    header = [xlsx_safe(cell(label)) for label in export_header(questions)]
    rows = ([xlsx_safe(value) for value in row] for row in export_rows(event, questions))
    yield from xlsx_chunks("Attendees", itertools.chain([header], rows), BATCH)


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
