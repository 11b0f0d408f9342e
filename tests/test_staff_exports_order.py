"""The order of an export's rows, and that a long export reads one moment of the list: it is
read status by status (app/staff/services/exports.py), so a change while it streams must not
show a person twice or drop them."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from app.extensions import db
from app.models import Registration
from app.staff.services.exports import BATCH
from tests.support.factories import create_event
from tests.support.staff import create_registration, signed_in_client

START = datetime(2030, 5, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
def staff(app):
    client, _ = signed_in_client(app, "staff")
    return client


def names(body: bytes) -> list[str]:
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    return [row[0] for row in rows[1:]]


def test_rows_go_by_event_start_then_status_then_registration_time(app, staff):
    with app.app_context():
        later = create_event(slug="later", starts_at=START + timedelta(days=60))
        sooner = create_event(slug="sooner", starts_at=START + timedelta(days=30))
        # Registered in this order (minutes after START), statuses mixed.
        for minute, (event, status, name) in enumerate(
            [
                (later, "cancelled", "L-cancelled-1"),
                (later, "waitlisted", "L-waiting-1"),
                (later, "confirmed", "L-confirmed-1"),
                (sooner, "declined", "S-declined-1"),
                (later, "pending", "L-pending-1"),
                (sooner, "confirmed", "S-confirmed-1"),
                (later, "confirmed", "L-confirmed-2"),
                (later, "waitlisted", "L-waiting-2"),
                (sooner, "pending", "S-pending-1"),
            ]
        ):
            create_registration(
                event, status, name=name, registered_at=START + timedelta(minutes=minute)
            )
        db.session.commit()
    response = staff.get("/staff/attendees.csv")
    assert names(response.get_data()) == [
        "S-confirmed-1", "S-pending-1", "S-declined-1",
        "L-confirmed-1", "L-confirmed-2", "L-waiting-1", "L-waiting-2", "L-pending-1",
        "L-cancelled-1",
    ]  # fmt: skip
    response = staff.get("/staff/events/later/attendees.csv")
    assert names(response.get_data())[:3] == ["L-confirmed-1", "L-confirmed-2", "L-waiting-1"]


def test_a_status_change_while_the_export_streams_is_not_seen(app, staff):
    with app.app_context():
        event = create_event(slug="busy", capacity=None)
        for n in range(BATCH + 10):
            create_registration(event, name=f"Seated {n:05d}")
        create_registration(event, "waitlisted", name="Wendy Waiting", email="wendy@example.com")
        db.session.commit()
    response = staff.get("/staff/events/busy/attendees.csv", buffered=False)
    pieces = iter(response.response)
    first = next(pieces)  # the first batch of confirmed rows has left
    with app.app_context():
        # Wendy gets a seat: she was not among the confirmed rows read so far, and she is no
        # longer waiting when the waiting list's part is read.
        db.session.execute(
            update(Registration)
            .where(Registration.email == "wendy@example.com")
            .values(status="confirmed", waitlist_ticket=None)
        )
        db.session.commit()
    body = first + b"".join(pieces)
    response.close()
    rows = names(body)
    assert len(rows) == BATCH + 11
    assert rows.count("Wendy Waiting") == 1
