"""Applications (issue 13): an event that needs approval takes applications, staff approve
(a seat, or the waiting list when full) or decline them, one by one or several at once, and
each step is emailed and audited. Never more confirmed than seats, even when staff approve
at the same moment (SQLite and PostgreSQL)."""

import csv
import io
import threading

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Event, OutboxMessage, Registration
from tests.support import database
from tests.support.factories import create_event, make_event
from tests.support.forms import csrf_token_from, register
from tests.support.outbox import compose_outbox
from tests.support.settings import FORM_SETTINGS
from tests.support.staff import create_registration, signed_in_client


@pytest.fixture
def app_settings():
    return dict(FORM_SETTINGS)


def apply(client, slug: str, email: str) -> str:
    return register(client, slug, email=email, name=email.split("@")[0].title())


def registration(app, email: str) -> Registration:
    with app.app_context():
        found = db.session.scalar(select(Registration).where(Registration.email == email))
        db.session.expunge(found)
        return found


def mails(app, email: str) -> list[OutboxMessage]:
    compose_outbox(app)
    with app.app_context():
        found = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.to_address == email)
            .order_by(OutboxMessage.id)
        ).all()
        db.session.expunge_all()
        return found


def seats_taken(app, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Event.seats_taken).where(Event.slug == slug))


def staff_post(client, slug: str, path: str, **data):
    page = client.get(f"/staff/events/{slug}/attendees")
    data["csrf_token"] = csrf_token_from(page.get_data(as_text=True))
    response = client.post(f"/staff/events/{slug}/attendees{path}", data=data)
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_an_application_holds_no_seat_and_is_acknowledged(app, client):
    slug = make_event(app, approval_required=True, capacity=2, title="Curated Trip")
    event_page = client.get(f"/events/{slug}").get_data(as_text=True)
    assert "Places are allocated by the organisers" in event_page
    form = client.get(f"/events/{slug}/register").get_data(as_text=True)
    assert "Places are allocated by the organisers" in form and ">Apply</button>" in form
    token = apply(client, slug, "ada@example.com")
    assert registration(app, "ada@example.com").status == "pending"
    assert seats_taken(app, slug) == 0
    [mail] = mails(app, "ada@example.com")
    assert mail.subject == "Application received: Curated Trip"
    assert "no place held yet" in mail.body_text and mail.ics is None
    page = client.get(f"/registrations/{token}?registered=1").get_data(as_text=True)
    assert "your application is received" in page
    assert "Withdraw my application" in page
    assert "calendar.ics" not in page


def test_approving_confirms_with_the_calendar_file_and_is_audited(app, client):
    slug = make_event(app, approval_required=True, capacity=1, title="Curated Trip")
    apply(client, slug, "ada@example.com")
    apply(client, slug, "bob@example.com")
    staff, _ = signed_in_client(app, "staff")
    ada = registration(app, "ada@example.com")
    page = staff_post(staff, slug, f"/{ada.id}/approve")
    assert "Approved Ada: the seat is theirs." in page
    assert registration(app, "ada@example.com").status == "confirmed"
    assert seats_taken(app, slug) == 1
    mail = mails(app, "ada@example.com")[-1]
    assert mail.subject == "Application approved, your seat is confirmed: Curated Trip"
    assert "BEGIN:VCALENDAR" in mail.ics

    # The last seat is gone: the next approval puts Bob on the waiting list and says so.
    bob = registration(app, "bob@example.com")
    page = staff_post(staff, slug, f"/{bob.id}/approve")
    assert "the event is full: they are on the waiting list" in page
    assert registration(app, "bob@example.com").status == "waitlisted"
    assert mails(app, "bob@example.com")[-1].subject.startswith(
        "Application approved, on the waiting list (number 1)"
    )
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions.count("registration.approve") == 2

    # Approving again changes nothing.
    page = staff_post(staff, slug, f"/{ada.id}/approve")
    assert "already decided or withdrawn" in page
    assert seats_taken(app, slug) == 1


def test_full_without_a_waiting_list_leaves_the_application_pending(app, client):
    slug = make_event(app, approval_required=True, capacity=1, waitlist_enabled=False)
    apply(client, slug, "ada@example.com")
    apply(client, slug, "zed@example.com")
    staff, _ = signed_in_client(app, "staff")
    staff_post(staff, slug, f"/{registration(app, 'zed@example.com').id}/approve")
    ada = registration(app, "ada@example.com")
    page = staff_post(staff, slug, f"/{ada.id}/approve")
    assert "No seat is free for Ada" in page
    assert registration(app, "ada@example.com").status == "pending"
    assert len(mails(app, "ada@example.com")) == 1


def test_bulk_decisions_with_a_note_filters_and_exports(app, client):
    slug = make_event(app, approval_required=True, capacity=2, title="Curated Trip")
    people = ["ada", "bob", "cy", "di"]
    for name in people:
        apply(client, slug, f"{name}@example.com")
    ids = {name: registration(app, f"{name}@example.com").id for name in people}
    staff, _ = signed_in_client(app, "staff")
    listing = staff.get(f"/staff/events/{slug}/attendees?status=pending").get_data(as_text=True)
    assert "Applications waiting" in listing and 'form="decide-form"' in listing
    page = staff_post(
        staff,
        slug,
        "/decide",
        registration_ids=[ids["ada"], ids["bob"], ids["cy"]],
        decision="approve",
    )
    assert page.count("the seat is theirs") == 2 and "on the waiting list" in page
    page = staff_post(
        staff,
        slug,
        "/decide",
        registration_ids=[ids["di"]],
        decision="decline",
        note="We hope to see you on the spring trip.",
    )
    assert "Declined Di’s application." in page
    assert registration(app, "di@example.com").status == "declined"
    declined = mails(app, "di@example.com")[-1]
    assert declined.subject == "About your application: Curated Trip"
    assert "We hope to see you on the spring trip." in declined.body_text
    assert "&lt;" not in declined.body_text
    nothing = staff_post(staff, slug, "/decide", decision="approve")
    assert "Tick at least one application first." in nothing

    filtered = staff.get(f"/staff/events/{slug}/attendees?status=declined").get_data(as_text=True)
    assert "di@example.com" in filtered and "ada@example.com" not in filtered
    body = staff.get(f"/staff/events/{slug}/attendees.csv").get_data().decode("utf-8-sig")
    statuses = {row["email"]: row["status"] for row in csv.DictReader(io.StringIO(body))}
    assert statuses == {
        "ada@example.com": "confirmed",
        "bob@example.com": "confirmed",
        "cy@example.com": "waitlisted",
        "di@example.com": "declined",
    }
    with app.app_context():
        assert db.session.scalar(select(Event.seats_taken).where(Event.slug == slug)) == 2


def test_an_applicant_can_withdraw_and_a_declined_one_cannot_cancel(app, client):
    slug = make_event(app, approval_required=True, capacity=2)
    token = apply(client, slug, "ada@example.com")
    page = client.get(f"/registrations/{token}/cancel")
    assert "Your application is withdrawn" in page.get_data(as_text=True)
    csrf = csrf_token_from(page.get_data(as_text=True))
    assert (
        client.post(f"/registrations/{token}/cancel", data={"csrf_token": csrf}).status_code == 303
    )
    assert registration(app, "ada@example.com").status == "cancelled"
    assert seats_taken(app, slug) == 0

    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        create_registration(event, "declined", email="bob@example.com")
        db.session.commit()
    staff, _ = signed_in_client(app, "staff")
    bob = registration(app, "bob@example.com")
    page = staff_post(staff, slug, f"/{bob.id}/decline")
    assert "already decided or withdrawn" in page


def test_staff_turn_approval_on_in_the_event_editor(app):
    slug = make_event(app)
    marketing, _ = signed_in_client(app, "marketing")
    page = marketing.get(f"/staff/events/{slug}/edit").get_data(as_text=True)
    assert 'name="approval_required"' in page and 'name="changes_close_at"' in page


APPROVERS = 12


@pytest.fixture(params=["sqlite", "postgresql"])
def crowd_app(request, tmp_path, sqlite_template):
    with database.crowd_app(request, tmp_path, sqlite_template, APPROVERS + 10, 20) as app:
        yield app


@pytest.mark.parametrize("waitlist", [False, True])
def test_staff_approving_the_last_seat_at_once_never_oversell(crowd_app, waitlist):
    app = crowd_app
    with app.app_context():
        event = create_event(approval_required=True, capacity=1, waitlist_enabled=waitlist)
        slug = event.slug
        ids = [
            create_registration(event, "pending", email=f"p{n}@example.com").id
            for n in range(APPROVERS)
        ]
        db.session.commit()
    staff = [signed_in_client(app, "staff")[0] for _ in range(APPROVERS)]
    tokens = [
        csrf_token_from(c.get(f"/staff/events/{slug}/attendees").get_data(as_text=True))
        for c in staff
    ]
    # Half the approvals are the same application twice, the rest different people.
    targets = [ids[n // 2] if n < APPROVERS // 2 else ids[n] for n in range(APPROVERS)]
    start = threading.Barrier(APPROVERS)
    results: list = [None] * APPROVERS

    def approve(n: int) -> None:
        start.wait()
        try:
            url = f"/staff/events/{slug}/attendees/{targets[n]}/approve"
            response = staff[n].post(url, data={"csrf_token": tokens[n]})
            results[n] = response.status_code
        except Exception as error:  # reported by the assertion below
            results[n] = repr(error)

    threads = [threading.Thread(target=approve, args=(n,)) for n in range(APPROVERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [302] * APPROVERS

    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        statuses = db.session.scalars(
            select(Registration.status).where(Registration.event_id == event.id)
        ).all()
        assert statuses.count("confirmed") == 1
        assert event.seats_taken == 1
        decided = len(set(targets))
        if waitlist:
            assert statuses.count("waitlisted") == decided - 1
        else:
            assert statuses.count("waitlisted") == 0
        assert statuses.count("pending") == APPROVERS - decided + (0 if waitlist else decided - 1)
        # One email per decision, none for an approval that changed nothing.
        sent = db.session.scalars(select(OutboxMessage.kind)).all()
        assert len(sent) == (decided if waitlist else 1)


def test_the_demo_trip_takes_applications_with_three_questions(app, runner, client):
    assert runner.invoke(args=["seed"]).exit_code == 0
    assert runner.invoke(args=["seed"]).exit_code == 0  # idempotent
    trip = "geothermal-compute-iceland-data-centre-field-trip"
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == trip))
        assert event.approval_required
        statuses = db.session.scalars(
            select(Registration.status).where(Registration.event_id == event.id)
        ).all()
    assert statuses == ["pending"] * 3
    form = client.get(f"/events/{trip}/register").get_data(as_text=True)
    assert "exactly as on your photo ID" in form and "<legend>Dinner menu" in form
    assert ">Iceland</option>" in form
    conference = client.get("/events/ascent-ai-and-compute-summit-berlin/register")
    assert "Which topic would you most like" in conference.get_data(as_text=True)
