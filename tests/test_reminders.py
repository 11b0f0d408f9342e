"""Reminders before an event and "Can't come? Release your seat": the moment on the event's own
clock (a short clock: `now` is handed in, no sleeping), once each however many processes look,
never for late registrants, moved and cancelled events, sent late after downtime."""

import threading
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from sqlalchemy import select, update

from app.db import utcnow
from app.extensions import db
from app.models import Event, OutboxMessage, Registration, ReminderSent
from app.outbox.delivery import deliver_pending
from app.outbox.schedule import run_due_jobs
from app.registration.reminders import parse_reminder_days, reminder_moment, send_due_reminders
from app.registration.tokens import manage_token
from tests.support.database import make_app
from tests.support.factories import create_event
from tests.support.forms import csrf_token_from
from tests.support.outbox import compose_outbox
from tests.support.staff import create_registration, signed_in_client
from tests.test_staff_editors import event_data, post_form

# Berlin's clocks go forward on 28 March 2027: 7 days before a 10:00 start on the 30th is
# 10:00 CET on the 23rd, 09:00 UTC, though the start itself is 08:00 UTC.
START = datetime(2027, 3, 30, 8, 0, tzinfo=UTC)
SEVEN_DAYS_BEFORE = datetime(2027, 3, 23, 9, 0, tzinfo=UTC)


def reminders(app) -> list[OutboxMessage]:
    compose_outbox(app)
    with app.app_context():
        rows = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "reminder").order_by("id")
        ).all()
        db.session.expunge_all()
        return rows


def run(app, now: datetime) -> int:
    with app.app_context():
        queued = send_due_reminders(now)
        db.session.commit()
        return queued


def make(app, registered_at=None, status="confirmed", **event_fields):
    """An event starting at START with reminder days "7" and one registration; their ids."""
    with app.app_context():
        fields = {"starts_at": START, "reminder_days": "7", **event_fields}
        event = create_event(**fields)
        registration = create_registration(
            event, status, registered_at=registered_at or utcnow(), email="ada@example.com"
        )
        db.session.commit()
        return event.id, registration.id


def test_the_reminder_days_text_is_read_and_checked():
    assert parse_reminder_days("7, 1") == [7, 1]
    assert parse_reminder_days(" 1,7,7 ") == [7, 1]
    assert parse_reminder_days("") == []
    for bad in ("soon", "-1", "1.5", "400"):
        with pytest.raises(ValueError):
            parse_reminder_days(bad)


def test_a_reminder_fires_at_its_moment_on_the_events_own_clock(database_url, smtp_server):
    app = make_app(database_url, **smtp_server.settings)
    event_id, _ = make(app, what_to_bring="A photo ID")
    with app.app_context():
        assert reminder_moment(db.session.get(Event, event_id), 7) == SEVEN_DAYS_BEFORE
    assert run(app, SEVEN_DAYS_BEFORE - timedelta(seconds=1)) == 0
    assert run(app, SEVEN_DAYS_BEFORE) == 1
    assert run(app, SEVEN_DAYS_BEFORE + timedelta(minutes=1)) == 0  # once
    with app.app_context():
        deliver_pending()
    [mail] = smtp_server.wait_for(1)
    assert mail["Subject"].startswith("Reminder: ")
    assert "List-Unsubscribe" not in mail  # transactional: no unsubscribe header
    text = mail.get_body(("plain",)).get_content()
    assert "10:00" in text and "CEST" in text  # the start in Berlin's time, zone named
    assert "Hall 1, Berlin, Germany" in text
    assert "A photo ID" in text
    assert "Can't come? Release your seat" in text
    assert "/release" in text
    [attachment] = [part for part in mail.iter_attachments()]
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    [vevent] = calendar.walk("VEVENT")
    assert vevent.decoded("DTSTART").astimezone(UTC) == START
    with app.app_context():
        db.engine.dispose()


def test_someone_who_registers_after_the_moment_does_not_get_that_reminder(app):
    make(app, registered_at=SEVEN_DAYS_BEFORE + timedelta(seconds=1))
    assert run(app, SEVEN_DAYS_BEFORE + timedelta(hours=1)) == 0
    assert reminders(app) == []


def test_only_confirmed_people_get_reminders_unless_the_event_asks(app):
    event_id, _ = make(app)
    with app.app_context():
        event = db.session.get(Event, event_id)
        create_registration(event, "waitlisted", email="wait@example.com")
        create_registration(event, "cancelled", email="gone@example.com")
        db.session.commit()
    run(app, SEVEN_DAYS_BEFORE)
    assert [m.to_address for m in reminders(app)] == ["ada@example.com"]


def test_waiting_people_get_their_number_when_the_event_asks(app):
    event_id, _ = make(app, remind_waitlisted=True)
    with app.app_context():
        create_registration(db.session.get(Event, event_id), "waitlisted", email="w@example.com")
        db.session.commit()
    run(app, SEVEN_DAYS_BEFORE)
    [waiting] = [m for m in reminders(app) if m.to_address == "w@example.com"]
    assert "still on the waiting list" in waiting.subject
    assert "number 1" in waiting.body_text
    assert "/release" not in waiting.body_text


def test_moving_the_event_moves_reminders_not_yet_sent(app):
    event_id, _ = make(app, reminder_days="7,1")
    run(app, SEVEN_DAYS_BEFORE)  # the 7-day one goes
    with app.app_context():
        db.session.execute(
            update(Event).where(Event.id == event_id).values(starts_at=START + timedelta(days=3))
        )
        db.session.commit()
    day_before_old_start = START - timedelta(days=1)
    assert run(app, day_before_old_start) == 0  # the old moment means nothing now
    assert run(app, day_before_old_start + timedelta(days=3)) == 1
    sent = reminders(app)
    assert len(sent) == 2  # the 7-day reminder was not repeated for the new date
    with app.app_context():
        record = db.session.scalar(select(ReminderSent).where(ReminderSent.days_before == 1))
        assert record.event_starts_at == START + timedelta(days=3)


def test_a_cancelled_event_sends_no_reminders(app):
    make(app, status="cancelled")
    assert run(app, SEVEN_DAYS_BEFORE) == 0


def test_a_moment_missed_while_down_is_sent_late_but_not_after_the_start(app):
    make(app, reminder_days="7,1")
    # Down for the 7-day moment and past the 1-day one: the nearer reminder goes, once.
    assert run(app, START - timedelta(hours=2)) == 1
    [sent] = reminders(app)
    with app.app_context():
        assert db.session.scalar(select(ReminderSent.days_before)) == 1
    assert run(app, START - timedelta(hours=1)) == 0
    assert sent.subject.startswith("Reminder:")


def test_a_started_event_sends_no_late_reminder(app):
    make(app)
    assert run(app, START + timedelta(minutes=1)) == 0


def test_two_processes_at_the_same_moment_send_each_reminder_once(app, database_url):
    with app.app_context():
        event = create_event(starts_at=START, reminder_days="7")
        for n in range(20):
            create_registration(event, email=f"p{n}@example.com", registered_at=utcnow())
        db.session.commit()
    apps = [app, make_app(database_url)]
    barrier = threading.Barrier(len(apps))
    counts, errors = [], []

    def look(process):
        try:
            with process.app_context():
                barrier.wait()
                counts.append(send_due_reminders(SEVEN_DAYS_BEFORE))
                db.session.commit()
        except Exception as error:  # reported below, with the counts
            errors.append(error)

    threads = [threading.Thread(target=look, args=(each,)) for each in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with apps[1].app_context():
        db.engine.dispose()
    assert errors == []
    assert sum(counts) == 20
    assert sorted(m.to_address for m in reminders(app)) == sorted(
        f"p{n}@example.com" for n in range(20)
    )


@pytest.fixture
def app_settings():
    return {"REMINDER_CHECK_SECONDS": 60}


def test_the_delivering_processes_run_the_reminder_job(app):
    with app.app_context():
        event = create_event(starts_at=utcnow() + timedelta(hours=20), reminder_days="1")
        create_registration(event, registered_at=utcnow() - timedelta(days=2))
        db.session.commit()
        assert "reminders" in run_due_jobs()
        assert run_due_jobs() == []  # not again within the check interval
    assert len(reminders(app)) == 1


def test_release_your_seat_changes_nothing_on_get_and_promotes_on_post(app, client):
    with app.app_context():
        event = create_event(capacity=1)
        going = create_registration(event, email="going@example.com")
        waiting = create_registration(event, "waitlisted", email="next@example.com")
        db.session.commit()
        token, going_id, waiting_id = manage_token(going), going.id, waiting.id
    page = client.get(f"/registrations/{token}/release")
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert "Release my seat" in page.text
    with app.app_context():
        assert db.session.get(Registration, going_id).status == "confirmed"
    response = client.post(
        f"/registrations/{token}/release", data={"csrf_token": csrf_token_from(page.text)}
    )
    assert response.status_code == 303
    assert "Your registration is cancelled." in client.get(response.headers["Location"]).text
    with app.app_context():
        assert db.session.get(Registration, going_id).status == "cancelled"
        assert db.session.get(Registration, waiting_id).status == "confirmed"
        kinds = db.session.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id)).all()
        assert kinds == ["promotion", "cancellation"]
    again = client.get(f"/registrations/{token}/release")
    assert "already cancelled" in again.text


def test_a_tampered_release_link_is_a_404(client):
    assert client.get("/registrations/not-a-token/release").status_code == 404


def test_the_editor_sets_the_reminder_days_and_refuses_nonsense(app):
    staff, _ = signed_in_client(app, "marketing")
    response = post_form(
        staff, "/staff/events/new", event_data(reminder_days="3, 14", remind_waitlisted="y")
    )
    assert response.status_code == 302
    with app.app_context():
        event = db.session.scalar(select(Event))
        assert (event.reminder_days, event.remind_waitlisted) == ("14,3", True)
    form = staff.get("/staff/events/ascent-summit/edit").text
    assert 'value="14, 3"' in form
    refused = post_form(
        staff, "/staff/events/ascent-summit/edit", event_data(reminder_days="the day before")
    )
    assert refused.status_code == 200
    assert "Give whole days before the start" in refused.text
    with app.app_context():
        assert db.session.scalar(select(Event.reminder_days)) == "14,3"
