"""Messages from staff to a group of an event's attendees, written through the real form."""

from sqlalchemy import func, select, update

from app.extensions import db
from app.models import AuditEntry, OutboxMessage, OutboxStatus, StaffMessage
from app.outbox.delivery import deliver_pending
from app.registration.tokens import manage_token
from app.staff.services.messages import send
from tests.support.database import make_app
from tests.support.factories import create_event
from tests.support.forms import form_token
from tests.support.staff import create_registration, signed_in_client


def people(app):
    """An event with two confirmed (one checked in), one waiting, one cancelled person, one
    pending application and one declined."""
    with app.app_context():
        event = create_event(slug="trip")
        ada = create_registration(event, name="Ada", email="ada@example.com")
        create_registration(
            event, name="Bob", email="bob@example.com", checked_in_at=event.starts_at
        )
        create_registration(event, "waitlisted", name="Cy", email="cy@example.com")
        create_registration(event, "cancelled", name="Dee", email="dee@example.com")
        create_registration(event, "pending", name="Eve", email="eve@example.com")
        create_registration(event, "declined", name="Fay", email="fay@example.com")
        db.session.commit()
        return manage_token(ada)


def write(client, **fields):
    url = "/staff/events/trip/messages"
    data = {
        "audience": "confirmed",
        "subject": "The coach leaves at 08:15",
        "body": "Bring your **passport**.",
        "send": "Send",
        "csrf_token": form_token(client, url),
        **fields,
    }
    return client.post(url, data={key: value for key, value in data.items() if value is not None})


def queued(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "staff_message").order_by("id")
        ).all()
        db.session.expunge_all()
        return rows


def test_a_message_reaches_exactly_the_chosen_audience_one_row_each(app):
    ada_token = people(app)
    staff, _ = signed_in_client(app, "staff")  # every role may write to attendees
    response = write(staff)
    assert response.status_code == 302
    assert (
        "Queued “The coach leaves at 08:15” for 2 people."
        in staff.get("/staff/events/trip/messages").text
    )
    rows = queued(app)
    assert sorted(row.to_address for row in rows) == ["ada@example.com", "bob@example.com"]
    ada = next(row for row in rows if row.to_address == "ada@example.com")
    assert ada.body_text.startswith("Hello Ada,")
    assert "Bring your **passport**." in ada.body_text
    assert "<strong>passport</strong>" in ada.body_html
    assert f"/registrations/{ada_token}" in ada.body_text  # her own manage link
    assert "Bob" not in ada.body_text
    assert "List-Unsubscribe" not in str(ada.headers or {})
    with app.app_context():
        message = db.session.scalar(select(StaffMessage))
        assert message.recipients == 2 and {row.batch for row in rows} == {message.batch}
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "message.sent"))
        assert "to 2" in entry.summary


def test_each_audience_holds_the_right_people_and_never_cancelled_or_declined_ones(app):
    people(app)
    staff, _ = signed_in_client(app, "staff")
    expected = {
        "checked_in": ["bob@example.com"],
        "not_checked_in": ["ada@example.com"],
        "waitlisted": ["cy@example.com"],
        "pending": ["eve@example.com"],
        "active": ["ada@example.com", "bob@example.com", "cy@example.com"],
    }
    for audience, addresses in expected.items():
        before = {row.id for row in queued(app)}
        assert write(staff, audience=audience).status_code == 302
        new = [row.to_address for row in queued(app) if row.id not in before]
        assert sorted(new) == addresses, audience


def test_preview_shows_one_copy_and_the_count_and_queues_nothing(app):
    people(app)
    staff, _ = signed_in_client(app, "staff")
    response = write(staff, send=None, preview="Preview", audience="active")
    assert response.status_code == 200
    assert "3 people get this message." in response.text
    assert "Hello Ada," in response.text
    assert queued(app) == []


def test_bad_messages_are_refused_with_a_reason_and_nothing_is_queued(app):
    with app.app_context():
        event = create_event(slug="trip")
        create_registration(event, name="Ada", email="ada@example.com")
        db.session.commit()
    staff, _ = signed_in_client(app, "staff")
    cases = [
        ({"subject": ""}, "Enter a subject."),
        ({"body": "  "}, "Write the message."),
        ({"body": "Hi <script>alert(1)</script>"}, "The message contains HTML"),
        ({"body": 'Look <img src="x" onerror="y">'}, "The message contains HTML"),
        ({"subject": "Hi\r\nBcc: everyone@example.com"}, "The subject must be one line."),
        ({"audience": "waitlisted"}, "Nobody is in that group"),
        ({"audience": "bosses"}, "Choose who the message is for."),
    ]
    for fields, message in cases:
        response = write(staff, **fields)
        assert response.status_code == 422, fields
        assert message in response.text, fields
    assert queued(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StaffMessage)) == 0
    # An autolink is Markdown, not HTML.
    assert write(staff, body="Slides: <https://example.com/slides>").status_code == 302


def test_history_counts_and_sending_again_to_the_failed(app):
    people(app)
    staff, _ = signed_in_client(app, "staff")
    write(staff)
    first, second = queued(app)
    with app.app_context():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == first.id)
            .values(status=OutboxStatus.FAILED, last_error="550 no such user")
        )
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == second.id).values(status="sent")
        )
        db.session.commit()
        message_id = db.session.scalar(select(StaffMessage.id))
    page = staff.get("/staff/events/trip/messages").text
    assert "<td>1</td>\n      <td>0</td>\n      <td>1</td>" in page  # sent, waiting, failed
    url = f"/staff/events/trip/messages/{message_id}/resend"
    response = staff.post(
        url, data={"csrf_token": form_token(staff, "/staff/events/trip/messages")}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(OutboxMessage, first.id).status == OutboxStatus.PENDING
        assert db.session.get(OutboxMessage, second.id).status == "sent"


def test_no_header_can_be_injected_through_a_name_or_subject(database_url, smtp_server):
    app = make_app(database_url, **smtp_server.settings)
    with app.app_context():
        event = create_event(slug="trip")
        create_registration(event, name="Eve\r\nBcc: evil@example.com", email="eve@example.com")
        db.session.commit()
        send(event, "confirmed", "Hello\tthere  all", "A *note*.")
        db.session.commit()
        deliver_pending()
        db.engine.dispose()
    [mail] = smtp_server.wait_for(1)
    assert mail["Bcc"] is None
    assert mail["Subject"] == "Hello there all"
    assert smtp_server.handler.envelopes == [
        (smtp_server.handler.envelopes[0][0], ["eve@example.com"])
    ]
