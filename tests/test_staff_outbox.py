"""The outbox page: what staff see of outgoing mail, retrying it, fixing an address."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, OutboxMessage, Registration
from tests.support.factories import create_event
from tests.support.forms import csrf_token_from, form_token
from tests.support.staff import create_registration, signed_in_client


@pytest.fixture
def app_settings(smtp_server):
    """A real SMTP server, so a resent message is seen arriving."""
    return smtp_server.settings


@pytest.fixture
def staff(app):
    client, _ = signed_in_client(app, "staff")
    return client


def add_message(registration=None, **values) -> OutboxMessage:
    n = db.session.scalar(select(db.func.count()).select_from(OutboxMessage)) + 1
    message = OutboxMessage(
        kind=values.pop("kind", "confirmation"),
        registration_id=registration.id if registration else None,
        event_id=registration.event_id if registration else None,
        to_address=values.pop("to_address", registration.email if registration else "x@x.test"),
        subject=values.pop("subject", f"Message {n}"),
        body_text=values.pop("body_text", "Hello there."),
        message_id=f"<m{n}@northlight.test>",
        **values,
    )
    db.session.add(message)
    db.session.flush()
    return message


@pytest.fixture
def mail(app):
    with app.app_context():
        event = create_event(slug="mail-event")
        typo = create_registration(event, name="Ada Typo", email="ada@exampel.com")
        create_registration(event, name="Bo Taken", email="bo@example.com")
        bounced = add_message(
            typo,
            subject="You are registered",
            status="failed",
            attempts=8,
            last_error="550 5.1.1 <ada@exampel.com>: Recipient address rejected",
        )
        add_message(subject="Delivered one", status="sent", to_address="sent@example.com")
        add_message(subject="Kept one", status="held", to_address="held@example.com")
        db.session.commit()
        return {"failed": bounced.id, "registration": typo.id}


def test_outbox_lists_messages_with_status_and_error(app, staff, mail):
    html = staff.get("/staff/outbox/").get_data(as_text=True)
    for text in ("You are registered", "Delivered one", "Kept one", "Recipient address rejected"):
        assert text in html
    assert 'class="badge badge-failed">failed<' in html
    html = staff.get("/staff/outbox/?status=held").get_data(as_text=True)
    assert "Kept one" in html and "Delivered one" not in html


def test_retry_makes_a_failed_message_due_again(app, staff, mail):
    url = f"/staff/outbox/{mail['failed']}"
    token = csrf_token_from(staff.get(url).get_data(as_text=True))
    response = staff.post(f"{url}/retry", data={"csrf_token": token, "back": url})
    assert response.headers["Location"] == url
    assert "will be sent again now" in staff.get(url).get_data(as_text=True)
    with app.app_context():
        message = db.session.get(OutboxMessage, mail["failed"])
        assert message.status == "pending"
        assert db.session.scalar(select(AuditEntry.action)) == "outbox.retry"


def test_a_sent_message_is_not_sent_twice(app, staff, mail):
    with app.app_context():
        sent = db.session.scalar(select(OutboxMessage).where(OutboxMessage.status == "sent"))
        sent_id = sent.id
    token = csrf_token_from(staff.get("/staff/outbox/").get_data(as_text=True))
    staff.post(f"/staff/outbox/{sent_id}/retry", data={"csrf_token": token})
    assert "already been sent" in staff.get("/staff/outbox/").get_data(as_text=True)


def test_correcting_the_address_resends_and_updates_the_attendee(app, staff, mail, smtp_server):
    from app.outbox.delivery import deliver_pending

    url = f"/staff/outbox/{mail['failed']}"
    data = {"email": "Ada@Example.com", "csrf_token": form_token(staff, url)}
    response = staff.post(f"{url}/resend", data=data)
    assert response.headers["Location"] == "/staff/outbox/"
    with app.app_context():
        registration = db.session.get(Registration, mail["registration"])
        assert registration.email == "Ada@example.com"
        assert registration.email_normalized == "ada@example.com"
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "outbox.resend"))
        assert entry.changes["registration_email"] == {
            "before": "ada@exampel.com",
            "after": "Ada@example.com",
        }
        report = deliver_pending()
        assert report.sent == 1
    (received,) = smtp_server.wait_for(1)
    assert "Ada@example.com" in str(received["To"])
    assert received["Subject"] == "You are registered"


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("not an address", "That email address is not valid."),
        ("bo@example.com", "Another registration for this event already uses that address."),
        ("", "Enter the corrected address."),
    ],
)
def test_bad_corrections_are_refused_and_change_nothing(app, staff, mail, address, message):
    url = f"/staff/outbox/{mail['failed']}"
    response = staff.post(
        f"{url}/resend", data={"email": address, "csrf_token": form_token(staff, url)}
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Registration, mail["registration"]).email == "ada@exampel.com"
        assert db.session.scalar(select(db.func.count()).select_from(OutboxMessage)) == 3
