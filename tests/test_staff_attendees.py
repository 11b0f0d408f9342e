"""The attendee list as staff use it at the desk: numbers, search, and the per-person buttons."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Answer, AuditEntry, Event, OutboxMessage, Registration
from tests.support.factories import create_event
from tests.support.forms import csrf_token_from
from tests.support.questions import create_question
from tests.support.staff import create_registration, signed_in_client


@pytest.fixture
def staff(app):
    client, _ = signed_in_client(app, "staff")
    return client


@pytest.fixture
def event(app):
    """A full event (2 seats) with two people waiting and one who cancelled."""
    with app.app_context():
        event = create_event(slug="desk", title="Desk Day", capacity=2)
        create_registration(event, name="Ada Lovelace", email="ada@example.com", company="Engines")
        create_registration(event, name="Grace Hopper", email="grace@example.com", company="Navy")
        create_registration(event, "waitlisted", name="Alan Turing", email="alan@example.com")
        create_registration(event, "waitlisted", name="Edsger Dijkstra", email="ed@example.com")
        create_registration(event, "cancelled", name="Charles Babbage", email="cb@example.com")
        db.session.commit()
        return event.id


def registration_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Registration.id).where(Registration.email == email))


def status_of(app, email: str) -> str:
    with app.app_context():
        return db.session.scalar(select(Registration.status).where(Registration.email == email))


def press(client, page_url: str, action_url: str):
    """Press a button on the page as a browser would: the form's token, then follow back."""
    token = csrf_token_from(client.get(page_url).get_data(as_text=True))
    response = client.post(action_url, data={"csrf_token": token, "back": page_url})
    assert response.status_code == 302
    assert response.headers["Location"] == page_url
    return client.get(page_url).get_data(as_text=True)


def counts(html: str) -> dict[str, str]:
    return dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", html))


def test_numbers_and_the_table(app, staff, event):
    html = staff.get("/staff/events/desk/attendees").get_data(as_text=True)
    assert counts(html) == {
        "Seats": "2",
        "Confirmed": "2",
        "Waiting": "2",
        "Cancelled": "1",
        "Seats left": "0",
    }
    assert '<th scope="col">Name</th>' in html
    assert "#1 in line" in html and "#2 in line" in html
    # Buttons say whom they are for, for people who hear the page instead of seeing it.
    assert 'Check in<span class="visually-hidden"> Ada Lovelace</span>' in html
    assert 'Cancel<span class="visually-hidden"> the registration of Alan Turing</span>' in html
    # No seat is free, so nobody can be promoted.
    assert "Give a seat" not in html


def test_search_and_status_filter(app, staff, event):
    html = staff.get("/staff/events/desk/attendees?q=navy").get_data(as_text=True)
    assert "Grace Hopper" in html and "Ada Lovelace" not in html
    html = staff.get("/staff/events/desk/attendees?q=ALAN@").get_data(as_text=True)
    assert "Alan Turing" in html and "Grace Hopper" not in html
    html = staff.get("/staff/events/desk/attendees?status=waitlisted").get_data(as_text=True)
    assert "Alan Turing" in html and "Edsger Dijkstra" in html and "Ada Lovelace" not in html
    html = staff.get("/staff/events/desk/attendees?q=a&status=waitlisted").get_data(as_text=True)
    assert "Alan Turing" in html and "Ada Lovelace" not in html
    assert "2 registrations match." in html
    # A LIKE wildcard is searched for literally.
    html = staff.get("/staff/events/desk/attendees?q=%25").get_data(as_text=True)
    assert "No registrations match." in html


def test_long_lists_are_paginated(app, staff):
    with app.app_context():
        event = create_event(slug="big", capacity=None)
        for n in range(60):
            create_registration(event, name=f"Person {n:02d}")
        db.session.commit()
    first = staff.get("/staff/events/big/attendees").get_data(as_text=True)
    assert "Page 1 of 2" in first and "Person 00" in first and "Person 55" not in first
    second = staff.get("/staff/events/big/attendees?page=2").get_data(as_text=True)
    assert "Person 55" in second
    sheet = staff.get("/staff/events/big/attendees?status=confirmed&sheet=1").get_data(as_text=True)
    assert "Person 00" in sheet and "Person 59" in sheet


def test_cancelling_a_confirmed_attendee_gives_the_seat_to_the_first_waiting(app, staff, event):
    page = "/staff/events/desk/attendees"
    ada = registration_id(app, "ada@example.com")
    html = press(staff, page, f"{page}/{ada}/cancel")
    assert "Cancelled Ada Lovelace’s registration; Alan Turing got the seat." in html
    assert status_of(app, "ada@example.com") == "cancelled"
    assert status_of(app, "alan@example.com") == "confirmed"
    assert status_of(app, "ed@example.com") == "waitlisted"
    with app.app_context():
        kinds = set(db.session.scalars(select(OutboxMessage.to_address)))
        assert {"ada@example.com", "alan@example.com"} <= kinds
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "registration.cancel")
        )
        assert entry.changes["status"] == {"before": "confirmed", "after": "cancelled"}
    # Pressed twice (a second tab): a message, not an error page.
    html = press(staff, page, f"{page}/{ada}/cancel")
    assert "already cancelled" in html


def test_promote_when_a_seat_is_free(app, staff, event):
    page = "/staff/events/desk/attendees"
    ed = registration_id(app, "ed@example.com")
    html = press(staff, page, f"{page}/{ed}/promote")
    assert "No seat is free for Edsger Dijkstra" in html
    assert status_of(app, "ed@example.com") == "waitlisted"
    with app.app_context():
        db.session.get(Event, event).capacity = 3
        db.session.commit()
    html = staff.get(page).get_data(as_text=True)
    assert 'Give a seat<span class="visually-hidden"> to Edsger Dijkstra</span>' in html
    html = press(staff, page, f"{page}/{ed}/promote")
    assert "Edsger Dijkstra now has a seat." in html
    assert status_of(app, "ed@example.com") == "confirmed"
    # Alan keeps his place in the queue, now first.
    assert "#1 in line" in html and "#2 in line" not in html


def test_check_in_and_undo(app, staff, event):
    page = "/staff/events/desk/attendees"
    grace = registration_id(app, "grace@example.com")
    html = press(staff, page, f"{page}/{grace}/check-in")
    assert "Checked in Grace Hopper." in html
    assert 'Undo check-in<span class="visually-hidden"> of Grace Hopper</span>' in html
    html = press(staff, page, f"{page}/{grace}/check-in")
    assert "Undid check-in of Grace Hopper." in html
    alan = registration_id(app, "alan@example.com")
    html = press(staff, page, f"{page}/{alan}/check-in")
    assert "Only confirmed attendees can be checked in" in html


def test_actions_need_csrf_and_the_right_event(app, staff, event):
    other = None
    with app.app_context():
        other = create_event(slug="other").slug
        db.session.commit()
    ada = registration_id(app, "ada@example.com")
    assert staff.post(f"/staff/events/desk/attendees/{ada}/cancel").status_code == 400
    token = csrf_token_from(staff.get("/staff/").get_data(as_text=True))
    url = f"/staff/events/{other}/attendees/{ada}/cancel"
    assert staff.post(url, data={"csrf_token": token}).status_code == 404
    assert status_of(app, "ada@example.com") == "confirmed"


def test_unknown_event_and_page_are_404(app, staff, event):
    assert staff.get("/staff/events/nope/attendees").status_code == 404
    assert staff.get("/staff/events/desk/attendees?page=9").status_code == 404


def test_search_with_a_nul_character_is_harmless(app, staff, event):
    response = staff.get("/staff/events/desk/attendees?q=Ada%00")
    assert response.status_code == 200
    assert "Ada Lovelace" in response.get_data(as_text=True)


def test_row_actions_go_where_url_for_says(app, staff, event):
    """The rows' forms and links build their URLs from the list's own (attendees.html): each
    must be the one url_for gives for that action and registration."""
    from flask import url_for

    with app.app_context():
        db.session.get(Event, event).capacity = 3  # a free seat: "Give a seat" shows too
        db.session.commit()
    html = staff.get("/staff/events/desk/attendees").get_data(as_text=True)
    shown = set(re.findall(r'<form method="post" action="([^"]+/\d+/[^"]+)"', html))
    ids = {email: registration_id(app, email) for email in ("ada@example.com", "alan@example.com")}
    with app.test_request_context():
        expected = {
            url_for(f"staff.attendee_{action}", slug="desk", registration_id=ids[email])
            for email, actions in (
                ("ada@example.com", ("check_in", "cancel")),
                ("alan@example.com", ("promote", "cancel")),
            )
            for action in actions
        }
    assert expected <= shown
    assert len(shown) == 8  # two confirmed (check in, cancel), two waiting (seat, cancel)


def test_totals_follow_the_filter_without_a_search(app, staff, event):
    """Without a search the total comes from the counts; with one, from a count query."""
    html = staff.get("/staff/events/desk/attendees").get_data(as_text=True)
    assert "5 registrations." in html
    html = staff.get("/staff/events/desk/attendees?status=waitlisted").get_data(as_text=True)
    assert "2 registrations match." in html
    html = staff.get("/staff/events/desk/attendees?status=waitlisted&q=alan").get_data(as_text=True)
    assert "1 registration matches." in html


def test_what_people_typed_is_shown_as_text_in_every_row_kind(app, staff):
    """The rows are written in Python (attendee_rows.py): each value a person gave is escaped,
    in the cells, the hidden button labels and the application tick box alike."""
    typed = '<b onmouseover="x()">Mallory</b> & Co'
    with app.app_context():
        event = create_event(slug="typed", capacity=5)
        question = create_question(event, typed)
        for status in ("confirmed", "waitlisted", "pending"):
            person = create_registration(
                event, status, name=typed, company=typed, job_title=typed,
                email=f"{status}@example.com",
            )  # fmt: skip
            db.session.add(
                Answer(registration=person, question_id=question.id, label=typed, value=typed)
            )
        create_registration(event, name="", email="erased@example.com")
        db.session.commit()
    html = staff.get("/staff/events/typed/attendees").get_data(as_text=True)
    assert "<b " not in html
    escaped = "&lt;b onmouseover=&#34;x()&#34;&gt;Mallory&lt;/b&gt; &amp; Co"
    assert html.count(escaped) >= 3 * 4  # name, title, company and a button label per row
    assert f"Select the application of {escaped}" in html
    assert f'Give a seat<span class="visually-hidden"> to {escaped}</span>' in html
    # The answers under each name: the question's label and the answer, both as text.
    assert html.count(f'<span class="meta answer">{escaped}: {escaped}</span>') == 3
    # A row whose person was erased says so, and its buttons name nobody.
    assert "(data deleted)" in html
    assert "Check in</button>" in html
