"""The attendee's own page: status, calendar file, cancelling with a confirmation step."""

from datetime import timedelta

import icalendar
import pytest
from sqlalchemy import select

from app.db import utcnow
from app.extensions import db
from app.models import Event, OutboxMessage, Registration
from tests.support.factories import make_event
from tests.support.forms import csrf_token_from, register
from tests.support.settings import FORM_SETTINGS


@pytest.fixture
def app_settings():
    return dict(FORM_SETTINGS)


def cancel(client, token: str):
    """The two steps a person takes: open the confirmation page, then confirm."""
    page = client.get(f"/registrations/{token}/cancel")
    assert page.status_code == 200
    assert "Do you really want to cancel?" in page.get_data(as_text=True)
    token_field = csrf_token_from(page.get_data(as_text=True))
    return client.post(f"/registrations/{token}/cancel", data={"csrf_token": token_field})


def registration_by_email(app, email: str) -> Registration:
    with app.app_context():
        registration = db.session.scalar(
            select(Registration).where(Registration.email_normalized == email)
        )
        db.session.expunge(registration)
        return registration


def test_manage_page_shows_status_details_and_links(app, client):
    slug = make_event(app, kind="field_trip", title="Geothermal Trip")
    token = register(client, slug, name="Ada <b>Lovelace</b>", dietary="No fish")
    response = client.get(f"/registrations/{token}")
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response.headers["X-Robots-Tag"]
    html = response.get_data(as_text=True)
    assert "Geothermal Trip" in html
    assert "<strong>Confirmed</strong>: your seat is held." in html
    assert "Ada &lt;b&gt;Lovelace&lt;/b&gt;" in html  # typed text is escaped, never markup
    assert "No fish" in html
    assert f'href="/registrations/{token}/calendar.ics"' in html
    assert f'href="/registrations/{token}/cancel"' in html
    assert "Thank you" not in html  # the welcome is only for the redirect after sign-up


def test_opening_the_cancel_page_changes_nothing(app, client):
    slug = make_event(app)
    token = register(client, slug)
    page = client.get(f"/registrations/{token}/cancel").get_data(as_text=True)
    assert "Yes, cancel my registration" in page
    assert f'href="/registrations/{token}"' in page  # "No, keep it"
    assert registration_by_email(app, "ada@example.com").status == "confirmed"


def test_cancel_needs_the_csrf_token(app, client):
    slug = make_event(app)
    token = register(client, slug)
    response = client.post(f"/registrations/{token}/cancel", data={})
    assert response.status_code == 400
    assert "the form had expired" in response.get_data(as_text=True)
    assert registration_by_email(app, "ada@example.com").status == "confirmed"


def test_cancel_frees_the_seat_and_promotes_the_first_waiting_person(app, client):
    slug = make_event(app, capacity=1)
    first = register(client, slug, email="first@example.com")
    second = register(client, slug, email="second@example.com")
    third = register(client, slug, email="third@example.com")
    assert "number 2" in client.get(f"/registrations/{third}").get_data(as_text=True)

    response = cancel(client, first)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/registrations/{first}?cancelled=1"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your registration is cancelled." in html
    assert "Cancel my registration" not in html

    assert "<strong>Confirmed</strong>" in client.get(f"/registrations/{second}").text
    assert "number 1" in client.get(f"/registrations/{third}").get_data(as_text=True)
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        assert event.seats_taken == 1
        kinds = db.session.execute(
            select(OutboxMessage.kind, OutboxMessage.to_address).order_by(OutboxMessage.id)
        ).all()
        assert kinds[-2:] == [
            ("promotion", "second@example.com"),
            ("cancellation", "first@example.com"),
        ]
        promoted = db.session.scalar(
            select(Registration).where(Registration.email_normalized == "second@example.com")
        )
        assert promoted.promoted_at is not None and promoted.waitlist_ticket is None


def test_cancelling_a_waiting_registration_moves_the_queue_up(app, client):
    slug = make_event(app, capacity=1)
    register(client, slug, email="seated@example.com")
    second = register(client, slug, email="second@example.com")
    third = register(client, slug, email="third@example.com")
    assert cancel(client, second).status_code == 303
    assert "number 1" in client.get(f"/registrations/{third}").get_data(as_text=True)
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        assert event.seats_taken == 1
        assert (
            db.session.scalar(select(OutboxMessage.kind).order_by(OutboxMessage.id.desc()).limit(1))
            == "cancellation"
        )


def test_a_cancelled_registration_cannot_be_cancelled_twice(app, client):
    slug = make_event(app, capacity=3)
    token = register(client, slug)
    page = client.get(f"/registrations/{token}/cancel").get_data(as_text=True)
    csrf = csrf_token_from(page)
    assert (
        client.post(f"/registrations/{token}/cancel", data={"csrf_token": csrf}).status_code == 303
    )
    again = client.post(f"/registrations/{token}/cancel", data={"csrf_token": csrf})
    assert again.status_code == 409
    assert "already cancelled" in again.get_data(as_text=True)
    assert "already cancelled" in client.get(f"/registrations/{token}/cancel").text
    with app.app_context():
        assert db.session.scalar(select(Event.seats_taken).where(Event.slug == slug)) == 0
        cancellations = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "cancellation")
        ).all()
        assert len(cancellations) == 1


def test_no_cancelling_once_the_event_has_started(app, client):
    slug = make_event(app)
    token = register(client, slug)
    csrf = csrf_token_from(client.get(f"/registrations/{token}/cancel").text)
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        event.starts_at = utcnow() - timedelta(minutes=5)
        db.session.commit()
    assert "Cancel my registration" not in client.get(f"/registrations/{token}").text
    response = client.post(f"/registrations/{token}/cancel", data={"csrf_token": csrf})
    assert response.status_code == 409
    assert "already started" in response.get_data(as_text=True)
    assert registration_by_email(app, "ada@example.com").status == "confirmed"


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage", "foreign"])
def test_a_bad_token_is_a_plain_404(app, client, damage):
    from itsdangerous import URLSafeSerializer

    from app.registration.tokens import TOKEN_SALT

    slug = make_event(app)
    token = register(client, slug)
    bad = {
        "flip": token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:],
        "truncate": token[:20],
        "garbage": "not-a-token",
        "foreign": URLSafeSerializer("another-secret", salt=TOKEN_SALT).dumps(
            registration_by_email(app, "ada@example.com").manage_key
        ),
    }[damage]
    not_found = client.get("/no-such-page").get_data(as_text=True)
    for path in (
        f"/registrations/{bad}",
        f"/registrations/{bad}/cancel",
        f"/registrations/{bad}/calendar.ics",
    ):
        response = client.get(path)
        assert response.status_code == 404
        assert response.get_data(as_text=True).replace(path, "") == not_found.replace(
            "/no-such-page", ""
        )
    assert client.post(f"/registrations/{bad}/cancel", data={}).status_code == 404
    assert registration_by_email(app, "ada@example.com").status == "confirmed"


def test_the_public_calendar_file_describes_the_event(app, client):
    slug = make_event(app, title="Ascent Summit", venue="Station", city="Berlin", sequence=2)
    response = client.get(f"/events/{slug}/calendar.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert f'filename="{slug}.ics"' in response.headers["Content-Disposition"]
    calendar = icalendar.Calendar.from_ical(response.data)
    assert calendar["METHOD"] == "PUBLISH"
    (vevent,) = calendar.events
    assert vevent["SUMMARY"] == "Ascent Summit"
    assert vevent["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert vevent.start.tzinfo is not None
    assert "Station" in vevent["LOCATION"] and "Berlin" in vevent["LOCATION"]
    assert vevent["URL"] == f"http://northlight.test/events/{slug}"
    assert vevent["SEQUENCE"] == 2
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert client.get("/events/nothing-here/calendar.ics").status_code == 404


def test_the_attendee_calendar_file_keeps_the_registration_uid(app, client):
    from app.registration.calendar import registration_uid

    slug = make_event(app)
    token = register(client, slug)
    response = client.get(f"/registrations/{token}/calendar.ics")
    assert response.status_code == 200
    (vevent,) = icalendar.Calendar.from_ical(response.data).events
    with app.app_context():
        registration = db.session.scalar(select(Registration))
        assert vevent["UID"] == registration_uid(registration)
        assert registration.manage_key not in vevent["UID"]
