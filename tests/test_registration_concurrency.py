"""Many people signing up at the same moment: never more confirmed than seats, a clean queue.

Each sign-up is a real form POST from its own client (own session, own request, own app
context and database connection), all released at once by a barrier.
"""

import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Event, OutboxMessage, Registration
from app.registration.queries import waitlist_position
from app.registration.service import cancel_registration
from tests.support import database
from tests.support.factories import create_event
from tests.support.forms import csrf_token_from, manage_token_from_mail, open_form, submit

PEOPLE = 110
SEATS = 10


@pytest.fixture(params=["sqlite", "postgresql"])
def crowd_app(request, tmp_path, sqlite_template):
    with database.crowd_app(request, tmp_path, sqlite_template, PEOPLE + 10, 40) as app:
        yield app


def test_a_crowd_gets_exactly_the_seats_and_a_gap_free_waiting_list(crowd_app):
    app = crowd_app
    with app.app_context():
        slug = create_event(capacity=SEATS, waitlist_enabled=True).slug
        db.session.commit()

    clients = [app.test_client() for _ in range(PEOPLE)]
    forms = [open_form(client, slug) for client in clients]  # everyone has the page open
    start = threading.Barrier(PEOPLE)
    results: list = [None] * PEOPLE

    def sign_up(n: int) -> None:
        start.wait()
        try:
            response = submit(clients[n], slug, hidden=forms[n], email=f"person{n}@example.com")
            results[n] = response.status_code
        except Exception as error:  # reported by the assertion below
            results[n] = repr(error)

    threads = [threading.Thread(target=sign_up, args=(n,)) for n in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [303] * PEOPLE  # every person got an answer, nobody an error

    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        registrations = db.session.scalars(
            select(Registration).where(Registration.event_id == event.id)
        ).all()
        confirmed = [r for r in registrations if r.status == "confirmed"]
        waiting = [r for r in registrations if r.status == "waitlisted"]
        assert len(registrations) == PEOPLE
        assert len(confirmed) == SEATS
        assert event.seats_taken == len(confirmed)
        assert len(waiting) == PEOPLE - SEATS
        tickets = sorted(r.waitlist_ticket for r in waiting)
        assert len(set(tickets)) == len(tickets)  # nobody shares a place
        positions = sorted(waitlist_position(r) for r in waiting)
        assert positions == list(range(1, PEOPLE - SEATS + 1))
        assert event.waitlist_issued == PEOPLE - SEATS
        emails = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        assert emails == PEOPLE  # one confirmation or waitlist email each, in the same commit


def run_together(count: int, action) -> list:
    """Run action(n) for n in range(count) in threads released at the same moment."""
    start = threading.Barrier(count)
    results: list = [None] * count

    def run(n: int) -> None:
        start.wait()
        try:
            results[n] = action(n)
        except Exception as error:  # reported by the caller's assertions
            results[n] = repr(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_the_same_address_sent_many_times_at_once_makes_one_registration(crowd_app):
    app = crowd_app
    with app.app_context():
        slug = create_event(capacity=SEATS).slug
        db.session.commit()
    clients = [app.test_client() for _ in range(20)]
    forms = [open_form(client, slug) for client in clients]

    def sign_up(n: int) -> str:
        response = submit(clients[n], slug, hidden=forms[n], email="Same.Person@example.com")
        assert response.status_code == 303, response.status_code
        return response.headers["Location"]

    locations = run_together(20, sign_up)
    # Every sender hears the same: the details went to the address given.
    assert set(locations) == {f"/events/{slug}/register/check-your-email"}, locations
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
        assert db.session.scalar(select(Event.seats_taken).where(Event.slug == slug)) == 1
        # The confirmation, and it once again (at most hourly), however many tried at once.
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2


def test_a_cancelled_address_signing_up_again_many_times_at_once_takes_one_seat(crowd_app):
    """The cancelled registration is reused (the address is unique per event): of many
    sign-ups at once that find it cancelled, one reuses it, the others are duplicates."""
    app = crowd_app
    with app.app_context():
        slug = create_event(capacity=SEATS).slug
        db.session.commit()
    submit(app.test_client(), slug, email="back@example.com")
    with app.app_context():
        cancel_registration(db.session.scalar(select(Registration)))
        db.session.commit()
        assert db.session.scalar(select(Event.seats_taken).where(Event.slug == slug)) == 0
    clients = [app.test_client() for _ in range(20)]
    forms = [open_form(client, slug) for client in clients]

    def sign_up(n: int) -> int:
        return submit(clients[n], slug, hidden=forms[n], email="back@example.com").status_code

    assert run_together(20, sign_up) == [303] * 20
    with app.app_context():
        registration = db.session.scalar(select(Registration))
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
        assert registration.status == "confirmed"
        assert db.session.scalar(select(Event.seats_taken).where(Event.slug == slug)) == 1
        kinds = db.session.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id)).all()
        # Signed up, cancelled, signed up again: once each; the duplicates add at most one
        # copy of the new confirmation (at most hourly).
        assert kinds[:2] == ["confirmation", "cancellation"]
        assert kinds[2:] in (["confirmation"], ["confirmation", "confirmation"]), kinds


def test_cancelling_twice_at_once_frees_one_seat_and_promotes_one_person(crowd_app):
    app = crowd_app
    with app.app_context():
        slug = create_event(capacity=1).slug
        db.session.commit()
    client = app.test_client()
    submit(client, slug, email="seated@example.com")
    for n in range(3):
        submit(client, slug, email=f"waiting{n}@example.com")
    token = manage_token_from_mail(app, "seated@example.com")
    page = client.get(f"/registrations/{token}/cancel").get_data(as_text=True)
    csrf = csrf_token_from(page)

    codes = run_together(
        8,
        lambda n: (
            client.post(f"/registrations/{token}/cancel", data={"csrf_token": csrf}).status_code
        ),
    )
    assert sorted(codes) == [303] + [409] * 7
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        statuses = dict(
            db.session.execute(select(Registration.email_normalized, Registration.status)).all()
        )
        assert event.seats_taken == 1
        assert statuses == {
            "seated@example.com": "cancelled",
            "waiting0@example.com": "confirmed",
            "waiting1@example.com": "waitlisted",
            "waiting2@example.com": "waitlisted",
        }
