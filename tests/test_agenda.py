"""Personal agendas: choosing sessions on the manage page, workshop seats under concurrent
bookings (SQLite and PostgreSQL), seats freed on cancelling, and the batched change email."""

import threading
from datetime import timedelta

import icalendar
import pytest
from sqlalchemy import func, select, update

from app import create_app
from app.db import utcnow
from app.extensions import db
from app.models import AgendaChoice, OutboxMessage, ProgrammeSession, ScheduledJob
from app.outbox.delivery import deliver_pending
from app.outbox.schedule import run_due_jobs
from app.registration.programme_emails import send_pending_changes
from app.registration.tokens import manage_token
from tests.support import database
from tests.support.factories import create_event, create_session
from tests.support.forms import csrf_token_from, form_token
from tests.support.settings import TEST_SETTINGS
from tests.support.staff import create_registration, signed_in_client


def attendee_token(event, **overrides) -> str:
    return manage_token(create_registration(event, **overrides))


def save_agenda(client, token: str, session_ids):
    csrf = form_token(client, f"/registrations/{token}")
    data = {"csrf_token": csrf, "session_ids": [str(i) for i in session_ids]}
    return client.post(f"/registrations/{token}/agenda", data=data)


def test_an_attendee_chooses_sessions_and_gets_their_agenda_calendar(app, client):
    with app.app_context():
        event = create_event(slug="conf")
        talk = create_session(event, title="A talk")
        workshop = create_session(event, title="A workshop", hours_in=2, capacity=5)
        token = attendee_token(event)
        db.session.commit()
        talk_id, workshop_id = talk.id, workshop.id
    page = client.get(f"/registrations/{token}").get_data(as_text=True)
    assert "Tick the sessions you will attend" in page and "5 of 5 places left" in page
    response = save_agenda(client, token, [talk_id, workshop_id])
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your agenda is saved." in page
    assert f'value="{workshop_id}" checked' in page and "4 of 5 places left" in page
    ics = client.get(f"/registrations/{token}/agenda.ics")
    assert ics.headers["Content-Type"] == "text/calendar; charset=utf-8"
    summaries = [str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(ics.data).walk("VEVENT")]
    assert summaries == ["A talk", "A workshop"]
    # Unticking frees the workshop seat.
    assert save_agenda(client, token, [talk_id]).status_code == 303
    with app.app_context():
        assert db.session.get(ProgrammeSession, workshop_id).seats_taken == 0


def test_a_full_workshop_says_so_and_books_nothing(app, client):
    with app.app_context():
        event = create_event(slug="conf")
        workshop = create_session(event, title="Soldering", capacity=1)
        first, second = attendee_token(event), attendee_token(event)
        db.session.commit()
        workshop_id = workshop.id
    assert save_agenda(client, first, [workshop_id]).status_code == 303
    late = save_agenda(app.test_client(), second, [workshop_id])
    assert late.status_code == 409
    assert "Sorry, “Soldering” is full: the last seat has been taken." in late.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AgendaChoice)) == 1


def test_bad_agenda_input_gets_a_message_not_an_error(app, client):
    with app.app_context():
        event = create_event(slug="conf")
        create_session(event)
        other = create_session(create_event(slug="other"))
        waiting = attendee_token(event, status="waitlisted")
        token = attendee_token(event)
        db.session.commit()
        other_id = other.id
    response = save_agenda(client, token, [other_id])
    assert response.status_code == 422
    assert "Choose sessions from the programme." in response.get_data(as_text=True)
    nonsense = save_agenda(client, token, ["abc"])
    assert nonsense.status_code == 422
    # A waiting registration's page has no agenda form; a hand-made POST is refused.
    csrf = form_token(client, f"/registrations/{token}")
    refused = client.post(f"/registrations/{waiting}/agenda", data={"csrf_token": csrf})
    assert refused.status_code == 422
    assert "Only confirmed attendees can choose sessions." in refused.get_data(as_text=True)


def test_cancelling_the_event_registration_frees_the_workshop_seat(app, client):
    with app.app_context():
        event = create_event(slug="conf")
        workshop = create_session(event, capacity=3)
        token = attendee_token(event)
        db.session.commit()
        workshop_id = workshop.id
    save_agenda(client, token, [workshop_id])
    page = client.get(f"/registrations/{token}/cancel").get_data(as_text=True)
    response = client.post(
        f"/registrations/{token}/cancel", data={"csrf_token": csrf_token_from(page)}
    )
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(ProgrammeSession, workshop_id).seats_taken == 0
        assert db.session.scalar(select(func.count()).select_from(AgendaChoice)) == 0


PEOPLE = 30
SEATS = 7


@pytest.fixture(params=["sqlite", "postgresql"])
def crowd_app(request, tmp_path, sqlite_template):
    with database.crowd_app(request, tmp_path, sqlite_template, PEOPLE + 5, 20) as app:
        yield app


def test_workshop_capacity_holds_under_concurrent_bookings(crowd_app):
    app = crowd_app
    with app.app_context():
        event = create_event(slug="crowded", capacity=None)
        workshop = create_session(event, title="Hands-on", capacity=SEATS)
        tokens = [attendee_token(event) for _ in range(PEOPLE)]
        db.session.commit()
        workshop_id = workshop.id
    clients = [app.test_client() for _ in range(PEOPLE)]
    csrf = [form_token(c, f"/registrations/{t}") for c, t in zip(clients, tokens, strict=True)]
    start = threading.Barrier(PEOPLE)
    results: list = [None] * PEOPLE

    def book(n: int) -> None:
        start.wait()
        try:
            response = clients[n].post(
                f"/registrations/{tokens[n]}/agenda",
                data={"csrf_token": csrf[n], "session_ids": [str(workshop_id)]},
            )
            results[n] = response.status_code
        except Exception as error:  # reported by the assertion below
            results[n] = repr(error)

    threads = [threading.Thread(target=book, args=(n,)) for n in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [303] * SEATS + [409] * (PEOPLE - SEATS)
    with app.app_context():
        assert db.session.get(ProgrammeSession, workshop_id).seats_taken == SEATS
        chosen = db.session.scalar(
            select(func.count()).where(AgendaChoice.session_id == workshop_id)
        )
        assert chosen == SEATS


def edit_session(staff, slug: str, session, **changes):
    url = f"/staff/events/{slug}/sessions/{session['id']}"
    data = {
        "title": session["title"],
        "kind": "talk",
        "starts_at": session["starts_at"],
        "ends_at": session["ends_at"],
        "room": "Hall A",
        "description": "",
        "capacity": "",
        "status": "scheduled",
        "save": "Save session",
        **changes,
        "csrf_token": form_token(staff, url),
    }
    response = staff.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def app_settings(smtp_server):
    return {**smtp_server.settings, "PROGRAMME_CHANGE_DELAY_SECONDS": 0}


def test_a_batch_of_edits_emails_exactly_the_attendees_who_chose_the_session_once(
    app, client, smtp_server
):
    with app.app_context():
        event = create_event(slug="conf")
        moved = create_session(event, title="Keynote", hours_in=1)
        other = create_session(event, title="Other talk", hours_in=3)
        chose_both = create_registration(event, email="both@example.com")
        chose_moved = create_registration(event, email="moved@example.com")
        chose_other = create_registration(event, email="other@example.com")
        create_registration(event, email="none@example.com")
        db.session.commit()
        tokens = {r.email: manage_token(r) for r in (chose_both, chose_moved, chose_other)}
        sessions = {
            s.title: {
                "id": s.id,
                "title": s.title,
                "starts_at": s.local_starts_at.strftime("%Y-%m-%dT%H:%M"),
                "ends_at": s.local_ends_at.strftime("%Y-%m-%dT%H:%M"),
            }
            for s in (moved, other)
        }
        moved_start = moved.local_starts_at
    save_agenda(
        client,
        tokens["both@example.com"],
        [sessions["Keynote"]["id"], sessions["Other talk"]["id"]],
    )
    save_agenda(client, tokens["moved@example.com"], [sessions["Keynote"]["id"]])
    save_agenda(client, tokens["other@example.com"], [sessions["Other talk"]["id"]])

    staff, _ = signed_in_client(app, "marketing")
    later = (moved_start + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    later_end = (moved_start + timedelta(minutes=90)).strftime("%Y-%m-%dT%H:%M")
    keynote = sessions["Keynote"]
    # Three edits in a row: moved, renamed, moved again. Still one email per person.
    edit_session(staff, "conf", keynote, starts_at=later, ends_at=later_end)
    edit_session(
        staff, "conf", keynote, starts_at=later, ends_at=later_end, title="Keynote (new time)"
    )
    edit_session(
        staff,
        "conf",
        keynote,
        starts_at=later,
        ends_at=later_end,
        title="Keynote (new time)",
        room="Main hall",
    )
    page = staff.get("/staff/events/conf/sessions").get_data(as_text=True)
    assert "1 changed session not yet emailed" in page

    with app.app_context():
        assert send_pending_changes() == 2
        db.session.commit()
        assert send_pending_changes() == 0  # claimed once: nothing is sent twice
        db.session.commit()
        deliver_pending()
        queued = db.session.scalars(
            select(OutboxMessage.to_address).where(OutboxMessage.kind == "sessions_changed")
        ).all()
    assert sorted(queued) == ["both@example.com", "moved@example.com"]
    received = smtp_server.wait_for(2)
    assert sorted(m["To"] for m in received) == ["both@example.com", "moved@example.com"]
    message = received[0]
    assert message["Subject"] == "Programme change: Event " + message["Subject"].split("Event ")[1]
    body = message.get_body(("plain",)).get_content()
    assert "Keynote (new time)" in body and "Main hall" in body
    assert f"{later[11:]}–{later_end[11:]}" in body
    attachment = next(
        part for part in message.iter_attachments() if part.get_filename() == "invite.ics"
    )
    entry = icalendar.Calendar.from_ical(attachment.get_content()).walk("VEVENT")[0]
    assert str(entry["SUMMARY"]) == "Keynote (new time)" and int(entry["SEQUENCE"]) == 3


@pytest.fixture
def job_app(database_url):
    """An app that registers the programme-change job (the test settings leave it out)."""
    app = create_app(
        {
            **TEST_SETTINGS,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PROGRAMME_CHANGE_CHECK_SECONDS": 60,
            "PROGRAMME_CHANGE_DELAY_SECONDS": 3600,
        }
    )
    yield app
    with app.app_context():
        db.engine.dispose()


def test_the_scheduled_job_sends_a_change_once_the_batching_delay_has_passed(job_app):
    with job_app.app_context():
        event = create_event(slug="conf")
        session = create_session(event, title="Tour")
        registration = create_registration(event, email="chose@example.com")
        db.session.add(AgendaChoice(registration_id=registration.id, session_id=session.id))
        session.change_pending_since = utcnow()
        db.session.commit()
        assert run_due_jobs() == ["programme_changes"]
        # Edited a moment ago: the batch is still open, nothing is queued yet.
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
        db.session.execute(
            update(ProgrammeSession).values(updated_at=utcnow() - timedelta(hours=2))
        )
        db.session.execute(update(ScheduledJob).values(next_run_at=utcnow()))
        db.session.commit()
        assert run_due_jobs() == ["programme_changes"]
        assert db.session.scalars(select(OutboxMessage.to_address)).all() == ["chose@example.com"]
