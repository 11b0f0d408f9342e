"""Attendees change their own details and answers (issue 13), until the event's changes
close: each change emailed with what changed, audited as made by the attendee, visible in
the export; the email address is explained, not offered."""

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.db import utcnow
from app.extensions import db
from app.models import Answer, AuditEntry, Event, OutboxMessage, Registration
from tests.support.factories import create_event
from tests.support.forms import csrf_token_from, register
from tests.support.outbox import compose_outbox
from tests.support.questions import create_question
from tests.support.settings import FORM_SETTINGS
from tests.support.staff import signed_in_client


@pytest.fixture
def app_settings():
    return dict(FORM_SETTINGS)


@pytest.fixture
def trip(app):
    """A field trip with a menu question and a sensitive one; (slug, menu field, id field)."""
    with app.app_context():
        event = create_event(kind="field_trip", slug="trip", title="Glacier Trip")
        menu = create_question(event, "Dinner menu", "choice_radio", choices="Fish\nLamb")
        photo = create_question(event, "Name on your photo ID", sensitive=True)
        db.session.commit()
        return event.slug, f"question_{menu.id}", f"question_{photo.id}"


def edit(client, token: str, **fields):
    page = client.get(f"/registrations/{token}/edit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    data = {
        "csrf_token": csrf_token_from(html),
        "name": "Ada Lovelace",
        "company": "Analytical Engines Ltd",
        "job_title": "Programmer",
        "dietary": "",
        "accessibility": "",
        **fields,
    }
    return client.post(f"/registrations/{token}/edit", data=data)


def test_an_attendee_changes_details_and_answers(app, client, trip):
    slug, menu, photo = trip
    token = register(client, slug, dietary="", **{menu: "Fish", photo: "Ada K. Lovelace"})
    page = client.get(f"/registrations/{token}/edit").get_data(as_text=True)
    assert "cannot be changed here" in page and "cancel this registration and sign up again" in page
    assert 'name="email"' not in page
    assert re.search(r'<input checked [^>]*value="Fish"', page)

    response = edit(client, token, job_title="Countess", **{menu: "Lamb", photo: "Ada Lovelace"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("details=saved")
    manage = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your changes are saved" in manage and "Countess" in manage and "Lamb" in manage

    compose_outbox(app)
    with app.app_context():
        mail = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "details_changed")
        ).one()
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "registration.attendee_edit")
        )
        assert entry.user_id is None and "by the attendee" in entry.summary
        assert entry.changes["Dinner menu"] == {"before": "Fish", "after": "Lamb"}
        values = set(db.session.scalars(select(Answer.value)))
    assert "Job title: Programmer → Countess" in mail.body_text
    assert "Dinner menu: Fish → Lamb" in mail.body_text
    assert "Name on your photo ID: (not repeated by email)" in mail.body_text
    assert "Ada K. Lovelace" not in mail.body_text and "Ada K. Lovelace" not in mail.body_html
    assert values == {"Lamb", "Ada Lovelace"}

    staff, _ = signed_in_client(app, "staff")
    body = staff.get(f"/staff/events/{slug}/attendees.csv").get_data().decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(body)))
    assert row["job_title"] == "Countess" and row["Dinner menu"] == "Lamb"
    assert row["updated_at"] >= row["registered_at"]


def test_nothing_different_sends_nothing(app, client, trip):
    slug, menu, _ = trip
    token = register(client, slug, dietary="", **{menu: "Fish"})
    response = edit(client, token, **{menu: "Fish"})
    assert response.headers["Location"].endswith("details=unchanged")
    with app.app_context():
        kinds = db.session.scalars(select(OutboxMessage.kind)).all()
    assert "details_changed" not in kinds


def test_a_bad_edit_shows_the_form_again_and_changes_nothing(app, client, trip):
    slug, menu, _ = trip
    token = register(client, slug, dietary="", **{menu: "Fish"})
    response = edit(client, token, name="", job_title="Countess", **{menu: "Caviar"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Enter your full name." in html and "Choose one of the options listed." in html
    assert 'value="Countess"' in html
    with app.app_context():
        registration = db.session.scalar(select(Registration))
        assert registration.job_title == "Programmer"
        assert db.session.scalar(select(Answer.value)) == "Fish"


def test_changes_stop_at_the_cut_off(app, client, trip):
    slug, menu, _ = trip
    token = register(client, slug, dietary="", **{menu: "Fish"})
    page = client.get(f"/registrations/{token}/edit")
    csrf = csrf_token_from(page.get_data(as_text=True))
    with app.app_context():
        db.session.execute(update(Event).values(changes_close_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    assert "Change your details or answers" not in client.get(f"/registrations/{token}").get_data(
        as_text=True
    )
    late = client.post(
        f"/registrations/{token}/edit", data={"csrf_token": csrf, "name": "Someone Else"}
    )
    assert late.status_code == 409
    assert "Changes are closed." in late.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Registration.name)) == "Ada Lovelace"


def test_by_default_changes_close_with_registration(app, client, trip):
    slug, menu, _ = trip
    token = register(client, slug, dietary="", **{menu: "Fish"})
    with app.app_context():
        db.session.execute(
            update(Event).values(registration_closes_at=utcnow() - timedelta(minutes=1))
        )
        db.session.commit()
    page = client.get(f"/registrations/{token}/edit").get_data(as_text=True)
    assert "Changes are closed." in page
