"""Attendee exports: the columns, the rows streamed from the database, CSV and XLSX writers,
and the audit entry each export leaves.

Rows come from one query per status of each event, in the order of an index, so nothing sorts
(waitlist positions from a window function over the queue, not a query per row); each is read
in batches from a server-side cursor, so memory stays flat however long the list is, and all of
them in one snapshot. The database makes the cells (times as text, formulas neutralised), so
csv.writer takes its rows as they come.
"""

import csv
import itertools
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import (
    Connection,
    Integer,
    Select,
    String,
    case,
    false,
    func,
    literal,
    null,
    select,
    true,
    type_coerce,
)

from app.db import sqlite_immediate
from app.extensions import db
from app.models import REGISTRATION_STATUSES, Event, Question, Registration
from app.models import RegistrationStatus as Status
from app.models.questions import event_questions
from app.registration.answers import answers_by_registration
from app.registration.queries import waitlist_position_column
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
# Each event's statuses in the order lists sort them (status_order).
STATUS_RANK = {status: n for n, status in enumerate(REGISTRATION_STATUSES)}
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
    if dialect == "sqlite":
        # Stored as "YYYY-MM-DD HH:MM:SS.ffffff" in UTC (SQLAlchemy's format): cutting the
        # text costs a fraction of strftime, which parses every value as a date first.
        text = func.substr(column, 1, 10) + "T" + func.substr(column, 12, 8) + "+00:00"
    elif dialect == "postgresql":
        text = func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')
    else:
        return column
    return type_coerce(text, String).label(column.key)


def neutralised(column):
    """`column` (text) neutralised by the database, as `neutralise` does it in Python."""
    first = func.substr(column, 1, 1)
    return case((first.in_(FORMULA_TRIGGERS), literal("'") + column), else_=column)


def yes_no(column):
    """`column` (a boolean) as `cell` writes it: yes, no, or empty for NULL."""
    return case((column == true(), "yes"), (column == false(), "no"))


def part_query(event: Event, status: str, dialect: str, with_id: bool) -> Select:
    """The rows of one status of one event's list, as cells made by the database, in the
    order of the index ix_registration_event_status_registered_at: nothing is sorted (the
    waiting list's positions, a window over the queue, sort only the people waiting). The
    event's own columns are constants, formatted once."""

    def when(column):
        return utc_text(column, dialect)

    if status == Status.WAITLISTED:
        position = waitlist_position_column()
    else:
        position = type_coerce(null(), Integer)
    columns = [
        neutralised(Registration.name),
        neutralised(Registration.email),
        neutralised(Registration.company),
        neutralised(Registration.job_title),
        neutralised(Registration.dietary),
        neutralised(Registration.accessibility),
        literal(text_cell(status), String),
        position.label("waitlist_position"),
        when(Registration.registered_at),
        when(Registration.cancelled_at),
        when(Registration.checked_in_at),
        when(Registration.consent_at),
        yes_no(Registration.marketing_opt_in),
        literal(text_cell(event.slug), String),
        neutralised(Registration.consent_version),
        neutralised(Registration.marketing_consent_version),
        literal(text_cell(event.title), String),
        literal(time_cell(event.starts_at), String),
        when(Registration.marketing_opt_in_at),
        when(Registration.promoted_at),
        when(Registration.updated_at),
    ]
    if with_id:
        columns.append(Registration.id)
    return (
        select(*columns)
        .where(Registration.event_id == event.id, Registration.status == status)
        .order_by(Registration.registered_at, Registration.id)
    )


def export_parts(event: Event | None) -> list[tuple[Event, str]]:
    """(event, status) for each status an event's registrations have, in the export's order:
    events by start time (then id), each event's statuses as REGISTRATION_STATUSES lists them
    (confirmed first; a word not in it last)."""
    query = select(Registration.event_id, Registration.status).distinct()
    if event is not None:
        query = query.where(Registration.event_id == event.id)
    statuses: dict[int, list[str]] = {}
    for event_id, status in db.session.execute(query):
        statuses.setdefault(event_id, []).append(status)
    events = (
        [event]
        if event is not None
        else db.session.scalars(
            select(Event).where(Event.id.in_(statuses)).order_by(Event.starts_at, Event.id)
        ).all()
    )
    last = len(STATUS_RANK)
    return [
        (found, status)
        for found in events
        for status in sorted(statuses.get(found.id, ()), key=lambda s: STATUS_RANK.get(s, last))
    ]


def text_cell(value: str | None) -> str:
    if value is None:
        return ""
    return "'" + value if value[:1] in TRIGGER_CHARACTERS else value


def time_cell(value: datetime | None) -> str:
    return "" if value is None else value.isoformat(timespec="seconds")


def export_questions(event: Event | None) -> list[Question]:
    """The questions with a column: every question of the event, retired ones too."""
    return event_questions(event) if event is not None else []


def export_header(questions: list[Question]) -> list[str]:
    labels = [question.label for question in questions]
    return [*HEADER[:FIXED], *labels, *HEADER[FIXED:]]


def export_rows(event: Event | None, questions: list[Question]) -> Iterator[Sequence[Any]]:
    """The data rows, ready to write: each part (export_parts) read from a server-side cursor
    in batches, as plain Core rows whose cells the database made; with questions, each
    batch's answers come from one more query and go in after the consent columns."""
    connection = export_connection()
    dialect = connection.dialect.name
    for found, status in export_parts(event):
        query = part_query(found, status, dialect, with_id=bool(questions))
        result = connection.execute(query.execution_options(yield_per=BATCH))
        for batch in result.partitions():
            if not questions:
                yield from batch
                continue
            answers = batch_answers([row[-1] for row in batch])
            for row in batch:
                *cells, registration_id = row
                mine = answers.get(registration_id, {})
                cells[FIXED:FIXED] = [cell(mine.get(question.id, "")) for question in questions]
                yield cells


def export_connection() -> Connection:
    """The session's connection in a transaction that sees one snapshot from start to end:
    the parts are read by several queries, and a registration changing status between two of
    them must not appear twice or not at all. SQLite's read transactions already do (WAL);
    PostgreSQL's default (READ COMMITTED) takes a new snapshot per query."""
    # End the transaction the view's reads began (the audit entry is committed already).
    db.session.rollback()
    if db.session.get_bind().dialect.name == "postgresql":
        return db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    return db.session.connection()


def batch_answers(registration_ids: list[int]) -> dict[int, dict[int, str]]:
    """{registration id: {question id: answer}}; several choices joined with "; "."""
    return {
        registration_id: {q: "; ".join(value.splitlines()) for q, value in answers.items()}
        for registration_id, answers in answers_by_registration(registration_ids).items()
    }


class Pieces(list):
    """What csv.writer writes, kept as a list of lines: cheaper than a StringIO."""

    write = list.append


def csv_chunks(event: Event | None) -> Iterator[bytes]:
    """The CSV file in pieces: UTF-8 with a BOM (so Excel reads accents), header row first."""
    pieces = Pieces([UTF8_BOM])
    writer = csv.writer(pieces)  # writes NULL (None) as an empty cell, as `cell` does
    questions = export_questions(event)
    writer.writerow([cell(label) for label in export_header(questions)])
    rows = export_rows(event, questions)
    while batch := list(itertools.islice(rows, BATCH)):
        writer.writerows(batch)
        yield "".join(pieces).encode("utf-8")
        pieces.clear()
    yield "".join(pieces).encode("utf-8")


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
