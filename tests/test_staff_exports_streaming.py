"""The XLSX export is streamed: its first bytes leave before a row is read, and what arrives
in pieces is still a workbook openpyxl (and so a spreadsheet) reads back exactly."""

import io
import zipfile

import openpyxl
import pytest
from sqlalchemy import event as sa_event

from app.extensions import db
from app.staff.services.exports import BATCH, COLUMNS
from tests.support.factories import create_event
from tests.support.staff import create_registration, signed_in_client

ROWS = BATCH + 150  # more than one batch of rows: several pieces of sheet


@pytest.fixture
def staff(app):
    client, _ = signed_in_client(app, "staff")
    return client


@pytest.fixture
def big_event(app):
    with app.app_context():
        found = create_event(slug="big", title="Big <Event> & Co", capacity=None)
        create_registration(
            found,
            name='Ada "Quotes" <b>&amp;',
            email="ada@example.com",
            company="line one\r\nline two",
            job_title="\ttabbed",
            dietary="=1+1",
        )
        for n in range(ROWS - 1):
            create_registration(found, name=f"Attendee {n:05d}", email=f"a{n}@example.com")
        db.session.commit()


def test_a_long_xlsx_arrives_in_pieces_and_reads_back_exactly(app, staff, big_event):
    response = staff.get("/staff/events/big/attendees.xlsx", buffered=False)
    assert response.status_code == 200
    assert response.is_streamed
    pieces = list(response.response)
    response.close()
    # The parts before the sheet, at least one piece of sheet, then the rest and the index.
    assert len(pieces) >= 3, "the workbook came in one piece: not streamed"
    body = b"".join(pieces)
    assert zipfile.ZipFile(io.BytesIO(body)).testzip() is None
    workbook = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    sheet = workbook.active
    assert sheet.title == "Attendees"
    rows = list(sheet.iter_rows(values_only=True))
    workbook.close()
    assert tuple(rows[0][: len(COLUMNS)]) == COLUMNS
    assert len(rows) == ROWS + 1
    header = rows[0]
    by_name = {row[0]: dict(zip(header, row, strict=False)) for row in rows[1:]}
    ada = by_name['Ada "Quotes" <b>&amp;']
    assert ada["company"] == "line one\r\nline two"
    assert ada["job_title"] == "'\ttabbed"
    assert ada["dietary"] == "'=1+1"
    assert ada["event_title"] == "Big <Event> & Co"
    assert ada["status"] == "confirmed"
    assert by_name["Attendee 00000"]["email"] == "a0@example.com"
    assert f"Attendee {ROWS - 2:05d}" in by_name


def test_the_first_bytes_leave_before_any_row_is_read(app, staff, big_event):
    statements = []

    def note(conn, cursor, statement, *args):
        statements.append(statement)

    response = staff.get("/staff/events/big/attendees.xlsx", buffered=False)
    with app.app_context():
        engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", note)
    try:
        chunks = iter(response.response)
        first = next(chunks)
        assert first.startswith(b"PK\x03\x04"), "not the start of a zip file"
        assert not any("registration" in s.lower() for s in statements)
        rest = b"".join(chunks)
    finally:
        sa_event.remove(engine, "before_cursor_execute", note)
        response.close()
    assert any("FROM registration" in s for s in statements)
    assert len(rest) > len(first)
