"""Attendee exports, read back the way a spreadsheet user's tools read them."""

import csv
import io
from datetime import UTC, datetime

import openpyxl
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry
from app.staff.services.exports import COLUMNS, neutralise
from tests.support.factories import create_event
from tests.support.staff import create_registration, signed_in_client

HYPERLINK = '=HYPERLINK("http://x","y")'
REGISTERED = datetime(2030, 5, 4, 12, 30, 15, tzinfo=UTC)


@pytest.fixture
def staff(app):
    client, _ = signed_in_client(app, "staff")
    return client


@pytest.fixture
def events(app):
    with app.app_context():
        first = create_event(slug="first", title="First Event", capacity=1)
        create_registration(
            first,
            name="Zoë Ångström",
            email="zoe@example.com",
            company=HYPERLINK,
            job_title="+1 engineer",
            dietary="-vegan",
            accessibility="@ramp",
            registered_at=REGISTERED,
            consent_at=REGISTERED,
            marketing_opt_in=True,
            marketing_opt_in_at=REGISTERED,
        )
        create_registration(first, "waitlisted", name="Second In Line", email="w1@example.com")
        gone = create_registration(first, "waitlisted", name="Left Queue", email="w2@example.com")
        gone.status, gone.cancelled_at = "cancelled", REGISTERED
        create_registration(first, "waitlisted", name="Third In Line", email="w3@example.com")
        create_registration(first, "waitlisted", name="Tab", email="t@example.com", company="\tx")
        second = create_event(slug="second", title="Second Event")
        create_registration(second, name="Other Person", email="other@example.com", company="\rcr")
        db.session.commit()


def download(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    response.was_streamed = response.is_streamed
    body = response.get_data()
    response.close()
    return response, body


def read_csv(body: bytes) -> list[dict]:
    assert body.startswith(b"\xef\xbb\xbf"), "no UTF-8 BOM: Excel would garble accents"
    reader = csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""))
    rows = list(reader)
    header = rows[0]
    assert tuple(header[: len(COLUMNS)]) == COLUMNS
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def read_xlsx(body: bytes) -> list[dict]:
    workbook = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    cells = list(sheet.iter_rows())
    workbook.close()
    header = rows[0]
    assert tuple(header[: len(COLUMNS)]) == COLUMNS
    # Nothing in the file is a formula.
    assert all(cell.data_type != "f" for row in cells for cell in row)
    # Empty cells are not written at all, so a row may end early.
    return [
        dict(zip(header, row + (None,) * (len(header) - len(row)), strict=True)) for row in rows[1:]
    ]


def test_event_csv_has_the_contract_columns_and_neutralised_cells(app, staff, events):
    response, body = download(staff, "/staff/events/first/attendees.csv")
    assert response.mimetype == "text/csv"
    assert response.was_streamed
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(body)
    by_name = {row["name"]: row for row in rows}
    assert set(by_name) == {
        "Zoë Ångström", "Second In Line", "Left Queue", "Third In Line", "Tab",
    }  # fmt: skip
    zoe = by_name["Zoë Ångström"]
    assert zoe["company"] == "'" + HYPERLINK
    assert zoe["job_title"] == "'+1 engineer"
    assert zoe["dietary"] == "'-vegan"
    assert zoe["accessibility"] == "'@ramp"
    assert zoe["status"] == "confirmed"
    assert zoe["waitlist_position"] == ""
    assert zoe["registered_at"] == "2030-05-04T12:30:15+00:00"
    assert zoe["consent_at"] == "2030-05-04T12:30:15+00:00"
    assert zoe["marketing_opt_in"] == "yes"
    assert zoe["marketing_opt_in_at"] == "2030-05-04T12:30:15+00:00"
    assert zoe["event"] == "first"
    assert zoe["event_title"] == "First Event"
    assert by_name["Tab"]["company"] == "'\tx"
    # Positions count only people still waiting: the one who left leaves no gap.
    assert by_name["Second In Line"]["waitlist_position"] == "1"
    assert by_name["Third In Line"]["waitlist_position"] == "2"
    assert by_name["Tab"]["waitlist_position"] == "3"
    assert by_name["Left Queue"]["waitlist_position"] == ""
    assert by_name["Left Queue"]["cancelled_at"] == "2030-05-04T12:30:15+00:00"


def test_event_xlsx_reads_back_the_same(app, staff, events):
    response, body = download(staff, "/staff/events/first/attendees.xlsx")
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "filename=first-attendees-" in response.headers["Content-Disposition"]
    rows = read_xlsx(body)
    by_name = {row["name"]: row for row in rows}
    zoe = by_name["Zoë Ångström"]
    assert zoe["company"] == "'" + HYPERLINK
    assert zoe["registered_at"] == "2030-05-04T12:30:15+00:00"
    assert by_name["Third In Line"]["waitlist_position"] == 2
    assert by_name["Tab"]["company"] == "'\tx"
    assert by_name["Second In Line"]["cancelled_at"] is None


def test_all_events_export_holds_every_registration_with_its_event(app, staff, events):
    _, body = download(staff, "/staff/attendees.csv")
    rows = read_csv(body)
    assert len(rows) == 6
    assert {row["event"] for row in rows} == {"first", "second"}
    other = next(row for row in rows if row["name"] == "Other Person")
    assert other["company"] == "'\rcr"
    _, body = download(staff, "/staff/attendees.xlsx")
    assert len(read_xlsx(body)) == 6


def test_every_export_is_in_the_audit_log(app, staff, events):
    for url in (
        "/staff/events/first/attendees.csv",
        "/staff/events/first/attendees.xlsx",
        "/staff/attendees.csv",
        "/staff/attendees.xlsx",
    ):
        download(staff, url)
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [entry.summary for entry in entries] == [
            "Exported attendees of “First Event” as CSV",
            "Exported attendees of “First Event” as XLSX",
            "Exported attendees of all events as CSV",
            "Exported attendees of all events as XLSX",
        ]
        assert all(entry.user.role == "staff" for entry in entries)


def test_empty_event_exports_just_the_header(app, staff):
    with app.app_context():
        create_event(slug="empty")
        db.session.commit()
    _, body = download(staff, "/staff/events/empty/attendees.csv")
    assert read_csv(body) == []
    _, body = download(staff, "/staff/events/empty/attendees.xlsx")
    assert read_xlsx(body) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+49 30 1234", "'+49 30 1234"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rReturn", "'\rReturn"),
        ("Plain = text", "Plain = text"),
        ("", ""),
    ],
)
def test_neutralise(text, expected):
    assert neutralise(text) == expected
