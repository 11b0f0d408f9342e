"""Email from sign-up to inbox through a real SMTP server: content, calendar files, outages."""

import re
from datetime import timedelta

import icalendar
import pytest
from sqlalchemy import select, update

from app.db import utcnow
from app.extensions import db
from app.models import Event, OutboxMessage, Registration
from app.outbox.queue import resend_to, retry_now
from app.registration.calendar import registration_uid
from tests.support.factories import make_event
from tests.support.forms import csrf_token_from, register, submit
from tests.support.icaljs import parse_with_icaljs
from tests.support.settings import FORM_SETTINGS


def test_the_database_going_away_while_an_email_is_written_leaves_it_for_the_next_try(
    app, client, runner, smtp_server, monkeypatch
):
    """Not the message's fault: it stays pending, its claim undone, never failed; the worker
    goes on (the web answers 503 meanwhile) and the next pass sends it."""
    from sqlalchemy.exc import OperationalError

    from app.outbox.delivery import deliver_pending
    from app.registration import emails

    slug = make_event(app)
    assert submit(client, slug, email="patient@example.com").status_code == 303

    def database_gone(*args, **kwargs):
        raise OperationalError("SELECT …", {}, Exception("server closed the connection"))

    with monkeypatch.context() as patch:
        patch.setattr(emails, "registration_context", database_gone)
        with app.app_context(), pytest.raises(OperationalError):
            deliver_pending()
    (message,) = outbox(app)
    assert (message.status, message.attempts, message.last_error) == ("pending", 0, None)
    assert message.compose is not None
    assert "1 sent" in deliver(runner)
    (received,) = smtp_server.wait_for(1)
    assert received["To"] == "patient@example.com"


@pytest.fixture
def app_settings(smtp_server):
    return {**FORM_SETTINGS, **smtp_server.settings, "MAIL_MAX_ATTEMPTS": 3}


def deliver(runner, *args) -> str:
    result = runner.invoke(args=["outbox", "deliver", *args])
    assert result.exit_code == 0, result.output
    return result.output


def parts(message):
    """(text, html, calendar attachment) of a received message."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    attachments = [part for part in message.iter_attachments()]
    assert len(attachments) == 1
    return text, html, attachments[0]


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return messages


def test_sign_up_to_inbox_with_both_parts_the_link_and_the_calendar_entry(
    app, client, runner, smtp_server
):
    # Long enough to be folded, and not ASCII: the subject is encoded words on the wire.
    title = "Geothermal Compute Trip to Reykjanesbær — a day in the halls, then dinner"
    slug = make_event(
        app,
        kind="field_trip",
        title=title,
        venue="Reykjanes Campus",
        city="Reykjanesbær",
        country="Iceland",
        timezone="Atlantic/Reykjavik",
        what_to_bring="Sturdy shoes and a warm jacket.",
        sequence=4,
    )
    token = register(client, slug, name="Ada Lovelace", dietary="Vegetarian")
    assert smtp_server.messages == []  # nothing is sent inside the request (worker mode)
    assert "1 sent" in deliver(runner)

    (message,) = smtp_server.wait_for(1)
    assert message["Subject"] == f"Registration confirmed: {title}"
    assert message["To"] == "ada@example.com"
    assert message["From"] == "Northlight <events@northlight.example>"
    (stored,) = outbox(app)
    assert message["Message-ID"] == stored.message_id
    text, html, attachment = parts(message)
    link = f"http://northlight.test/registrations/{token}"
    for body in (text, html):
        assert link in body
        assert "Geothermal Compute Trip" in body
        assert "Reykjanes Campus" in body
        assert "Atlantic/Reykjavik" in body  # dates in the event's own zone, named
        assert "Sturdy shoes and a warm jacket." in body
        assert "Vegetarian" in body  # the dinner, with their dietary note
        assert "confirmed" in body
    assert "Hello Ada Lovelace," in text
    assert html.lstrip().startswith("<!doctype html>")

    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "REQUEST"
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    assert calendar["METHOD"] == "REQUEST"
    (vevent,) = calendar.events
    assert vevent["DTSTART"].params["TZID"] == "Atlantic/Reykjavik"
    assert vevent["DTEND"].params["TZID"] == "Atlantic/Reykjavik"
    assert vevent["SEQUENCE"] == 4
    assert vevent["STATUS"] == "CONFIRMED"
    assert vevent["URL"] == f"http://northlight.test/events/{slug}"
    assert "Reykjanes Campus" in vevent["LOCATION"]
    assert str(vevent["ATTENDEE"]) == "mailto:ada@example.com"
    with app.app_context():
        registration = db.session.scalar(select(Registration))
        event = db.session.get(Event, registration.event_id)
        assert vevent["UID"] == registration_uid(registration)
        assert vevent.start == event.starts_at.replace(microsecond=0)
    # A second, independent reader of the file (its VTIMEZONE is added as text, once written).
    other = parse_with_icaljs(attachment.get_content())
    assert other["method"] == "REQUEST"
    (entry,) = other["events"]
    assert (entry["uid"], entry["tzid"]) == (str(vevent["UID"]), "Atlantic/Reykjavik")
    assert entry["start_utc"] == vevent.start.timestamp()
    assert outbox(app)[0].status == "sent"

    # The same address again: the confirmation once more, same calendar UID, nothing else.
    other = app.test_client()
    page = other.get(f"/events/{slug}/register").get_data(as_text=True)
    rendered = re.search(r'name="rendered"[^>]*value="([^"]+)"', page).group(1)
    response = other.post(
        f"/events/{slug}/register",
        data={
            "csrf_token": csrf_token_from(page),
            "rendered": rendered,
            "name": "Not Ada",
            "email": "ADA@example.com",
            "consent": "y",
        },
    )
    assert response.status_code == 303
    deliver(runner)
    resent = smtp_server.wait_for(2)[1]
    assert resent["Subject"] == f"Your registration for {title} (sent again)"
    text, _, attachment = parts(resent)
    assert "Hello Ada Lovelace," in text and "Not Ada" not in text
    (again,) = icalendar.Calendar.from_ical(attachment.get_content()).events
    assert again["UID"] == vevent["UID"]


def test_waitlist_and_promotion_emails(app, client, runner, smtp_server):
    slug = make_event(app, capacity=1, title="Small Room")
    first = register(client, slug, email="first@example.com")
    register(client, slug, email="second@example.com", name="Second Person")
    deliver(runner)
    waiting = smtp_server.to("second@example.com")[0]
    assert waiting["Subject"] == "On the waiting list (number 1): Small Room"
    text, html, attachment = parts(waiting)
    assert "Status: waiting list, number 1." in text
    assert "waiting list, number 1." in html
    (tentative,) = icalendar.Calendar.from_ical(attachment.get_content()).events
    assert tentative["STATUS"] == "TENTATIVE"

    page = client.get(f"/registrations/{first}/cancel").get_data(as_text=True)
    client.post(f"/registrations/{first}/cancel", data={"csrf_token": csrf_token_from(page)})
    deliver(runner)
    promoted = smtp_server.to("second@example.com")[1]
    assert promoted["Subject"] == "A seat is yours: Small Room"
    text, html, attachment = parts(promoted)
    assert "it is yours" in text and "Status: confirmed" in text
    assert "/registrations/" in html
    (confirmed,) = icalendar.Calendar.from_ical(attachment.get_content()).events
    assert confirmed["UID"] == tentative["UID"]
    assert confirmed["STATUS"] == "CONFIRMED"

    cancelled = smtp_server.to("first@example.com")[1]
    assert cancelled["Subject"] == "Registration cancelled: Small Room"
    text, _, attachment = parts(cancelled)
    assert "is cancelled" in text and "goes to the next person" in text
    assert attachment.get_param("method") == "CANCEL"
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    assert calendar["METHOD"] == "CANCEL"
    assert calendar.events[0]["STATUS"] == "CANCELLED"


def test_event_changes_and_cancellation_reach_everyone_still_registered(
    app, client, runner, smtp_server
):
    from app.registration.emails import queue_event_cancelled, queue_event_updated

    slug = make_event(app, capacity=1, title="Moving Target")
    register(client, slug, email="seat@example.com")
    register(client, slug, email="wait@example.com")
    gone = register(client, slug, email="gone@example.com")
    page = client.get(f"/registrations/{gone}/cancel").get_data(as_text=True)
    client.post(f"/registrations/{gone}/cancel", data={"csrf_token": csrf_token_from(page)})
    deliver(runner)
    first_uid = {
        m["To"]: icalendar.Calendar.from_ical(parts(m)[2].get_content()).events[0]["UID"]
        for m in smtp_server.messages
    }
    smtp_server.clear()

    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        event.starts_at += timedelta(days=1)
        event.ends_at += timedelta(days=1)
        event.sequence += 1
        assert queue_event_updated(event) == 2
        db.session.commit()
    deliver(runner)
    received = smtp_server.wait_for(2)
    assert sorted(m["To"] for m in received) == ["seat@example.com", "wait@example.com"]
    for message in received:
        assert message["Subject"] == "Changed: new details for Moving Target"
        (vevent,) = icalendar.Calendar.from_ical(parts(message)[2].get_content()).events
        assert vevent["UID"] == first_uid[message["To"]]
        assert vevent["SEQUENCE"] == 1
    smtp_server.clear()

    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        event.status = "cancelled"
        event.sequence += 1
        assert queue_event_cancelled(event) == 2
        db.session.commit()
    deliver(runner)
    for message in smtp_server.wait_for(2):
        assert message["Subject"] == "Cancelled: Moving Target"
        calendar = icalendar.Calendar.from_ical(parts(message)[2].get_content())
        assert calendar["METHOD"] == "CANCEL"
        assert calendar.events[0]["SEQUENCE"] == 2
        assert calendar.events[0]["UID"] == first_uid[message["To"]]


def test_smtp_outage_loses_nothing_and_sends_each_message_exactly_once(
    app, client, runner, smtp_server
):
    slug = make_event(app, capacity=2)
    smtp_server.stop()
    for n in range(5):
        register(client, slug, email=f"person{n}@example.com")
    output = deliver(runner)  # the server is down: the first try fails, the rest wait
    assert "1 to retry" in output
    assert all(m.status == "pending" for m in outbox(app))
    # The rest were claimed with the first but never tried: their attempts are not counted.
    assert sorted(m.attempts for m in outbox(app)) == [0, 0, 0, 0, 1]
    smtp_server.start()
    deliver(runner, "--retry-now")
    deliver(runner)
    received = smtp_server.wait_for(5)
    assert sorted(m["To"] for m in received) == [f"person{n}@example.com" for n in range(5)]
    assert len({m["Message-ID"] for m in received}) == 5
    assert {m.status for m in outbox(app)} == {"sent"}
    deliver(runner, "--retry-now")
    assert len(smtp_server.messages) == 5


def test_failed_sends_back_off_then_give_up_and_can_be_retried(app, client, runner, smtp_server):
    slug = make_event(app)
    register(client, slug)
    smtp_server.stop()
    deliver(runner)
    (message,) = outbox(app)
    assert (message.status, message.attempts) == ("pending", 1)
    assert "Connection refused" in message.last_error or "Errno" in message.last_error
    wait = message.next_attempt_at - utcnow()
    assert timedelta(seconds=20) < wait <= timedelta(seconds=30)
    assert "0 sent, 0 to retry" in deliver(runner)  # not due yet

    delays = []
    for _ in range(2):  # MAIL_MAX_ATTEMPTS is 3 here
        with app.app_context():
            db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
            db.session.commit()
        deliver(runner)
        (message,) = outbox(app)
        delays.append(message.next_attempt_at - utcnow())
    assert timedelta(seconds=50) < delays[0] <= timedelta(seconds=60)  # doubled
    assert (message.status, message.attempts) == ("failed", 3)
    assert message.last_error

    smtp_server.start()
    deliver(runner)
    assert smtp_server.messages == []  # failed messages wait for a person to retry them
    with app.app_context():
        retry_now(db.session.get(OutboxMessage, message.id))
        db.session.commit()
    deliver(runner)
    assert len(smtp_server.wait_for(1)) == 1
    with app.app_context():
        sent = db.session.get(OutboxMessage, message.id)
        assert (sent.status, sent.attempts, sent.last_error) == ("sent", 4, None)
        with pytest.raises(ValueError, match="already been sent"):
            retry_now(sent)


def test_retry_delays_double_from_thirty_seconds_up_to_an_hour():
    from app.outbox.queue import retry_delay

    seconds = [retry_delay(n).total_seconds() for n in range(1, 10)]
    assert seconds == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_a_refused_recipient_fails_at_once_and_others_still_go(app, client, runner, smtp_server):
    from aiosmtpd.handlers import Message  # noqa: F401  (aiosmtpd is what refuses below)

    slug = make_event(app)
    register(client, slug, email="good@example.com")
    register(client, slug, email="refused@example.com")
    original = smtp_server.handler.__class__

    class Refusing(original):
        async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
            if address.startswith("refused"):
                return "550 No such user here"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    smtp_server.handler.__class__ = Refusing
    try:
        output = deliver(runner)
    finally:
        smtp_server.handler.__class__ = original
    assert "1 sent" in output and "1 failed" in output
    statuses = {m.to_address: (m.status, m.attempts) for m in outbox(app)}
    assert statuses == {"good@example.com": ("sent", 1), "refused@example.com": ("failed", 1)}
    assert "550" in next(m for m in outbox(app) if m.status == "failed").last_error


def test_resend_to_another_address_is_a_new_message(app, client, runner, smtp_server):
    slug = make_event(app)
    register(client, slug, email="typo@exmaple.com")
    deliver(runner)
    with app.app_context():
        original = db.session.scalar(select(OutboxMessage))
        with pytest.raises(ValueError):
            resend_to(original, "not an address")
        copy = resend_to(original, " Right@Example.com ")
        db.session.commit()
        assert copy.message_id != original.message_id
    deliver(runner)
    received = smtp_server.wait_for(2)
    assert [m["To"] for m in received] == ["typo@exmaple.com", "Right@example.com"]
    assert received[0]["Subject"] == received[1]["Subject"]


def test_a_claimed_message_whose_worker_died_is_sent_after_its_lease(
    app, client, runner, smtp_server
):
    from app.outbox.claims import claim_batch

    slug = make_event(app)
    register(client, slug)
    with app.app_context():
        assert len(claim_batch(10)) == 1  # ... and the worker is killed before sending
    deliver(runner)
    assert smtp_server.messages == []  # leased: nobody else sends it meanwhile
    (message,) = outbox(app)
    assert (message.status, message.attempts) == ("pending", 1)
    with app.app_context():  # the lease runs out
        db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
        db.session.commit()
    deliver(runner)
    assert len(smtp_server.wait_for(1)) == 1
    assert outbox(app)[0].status == "sent"


def test_a_message_that_cannot_be_sent_fails_alone(app, runner, smtp_server):
    from app.outbox.queue import enqueue

    with app.app_context():
        enqueue("test", "a@example.com", "Broken\nBcc: victim@example.com", "body")
        enqueue("test", "b@example.com", "Fine", "body")
        db.session.commit()
    output = deliver(runner)
    assert "1 sent" in output and "1 failed" in output
    assert [m["Subject"] for m in smtp_server.wait_for(1)] == ["Fine"]
    failed = next(m for m in outbox(app) if m.status == "failed")
    assert "BadHeaderError" in failed.last_error


def test_a_sign_up_queues_its_email_by_inputs_and_the_worker_writes_it_once(
    app, client, runner, smtp_server
):
    """Issue 16: the sign-up's transaction holds the event's seat lock, so it only records
    what the email needs; the delivering worker writes bodies and calendar file from the
    registration as it is then (an edit in between shows), once, and keeps them."""
    slug = make_event(app, title="Compose Later Summit")
    assert submit(client, slug, name="Ada Lovelace", email="ada@example.com").status_code == 303
    (queued,) = outbox(app)
    assert (queued.body_text, queued.body_html, queued.ics) == ("", "", None)
    assert queued.compose["template"] == "confirmation"
    assert queued.subject == "Registration confirmed: Compose Later Summit"
    with app.app_context():
        db.session.execute(update(Registration).values(name="Ada King"))
        db.session.commit()
    assert "1 sent" in deliver(runner)
    (received,) = smtp_server.wait_for(1)
    text, html, calendar = parts(received)
    assert text.startswith("Hello Ada King,")
    assert re.search(r"/registrations/[\w.-]+", text)
    assert calendar.get_filename() == "invite.ics"
    (sent,) = outbox(app)
    assert sent.compose is None and sent.status == "sent"
    assert sent.body_text.split() == text.split()  # what was sent, kept for staff to read
    assert "Ada King" in sent.body_html
    assert icalendar.Calendar.from_ical(sent.ics)["METHOD"] == "REQUEST"


def test_an_email_whose_registration_is_gone_before_it_is_written_fails_unsent(
    app, client, runner, smtp_server
):
    slug = make_event(app)
    assert submit(client, slug, email="gone@example.com").status_code == 303
    with app.app_context():  # the registration was removed (its foreign key is SET NULL)
        db.session.execute(update(OutboxMessage).values(registration_id=None))
        db.session.commit()
    assert "0 sent" in deliver(runner)
    assert smtp_server.wait_for(1, timeout=1) == []
    (message,) = outbox(app)
    assert message.status == "failed" and "no longer exists" in message.last_error
    assert message.body_text == ""
