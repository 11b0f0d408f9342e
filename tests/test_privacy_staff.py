"""Privacy requests that arrive by email: an admin finds, exports and erases an address."""

import csv
import io
import json

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, MarketingChoice, Registration
from tests.support.factories import make_event
from tests.support.forms import csrf_token_from, register
from tests.support.settings import FORM_SETTINGS
from tests.support.staff import signed_in_client


@pytest.fixture
def app_settings():
    return dict(FORM_SETTINGS)


def two_events_for_ada(app, client):
    first = make_event(app, kind="field_trip", title="Glacier Walk", capacity=1)
    second = make_event(app, title="HPC Summit")
    register(client, first, email="Ada@Example.com", dietary="coeliac", marketing_opt_in="y")
    register(client, first, name="Bob Babbage", email="bob@example.com")
    register(client, second, email="ada@example.com")
    return first, second


def admin_page(app):
    admin, _ = signed_in_client(app, "admin")
    csrf = csrf_token_from(admin.get("/staff/privacy").get_data(as_text=True))
    return admin, csrf


def export_rows(app, slug):
    staff, _ = signed_in_client(app, "staff")
    body = staff.get(f"/staff/events/{slug}/attendees.csv").get_data()
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_only_admins_see_the_privacy_page(app):
    staff, _ = signed_in_client(app, "staff")
    assert staff.get("/staff/privacy").status_code == 403
    admin, _ = signed_in_client(app, "admin")
    page = admin.get("/staff/privacy")
    assert page.status_code == 200
    assert "Privacy requests" in page.get_data(as_text=True)


def test_find_shows_everything_stored_for_the_address(app, client):
    two_events_for_ada(app, client)
    admin, csrf = admin_page(app)
    page = admin.post("/staff/privacy", data={"csrf_token": csrf, "email": " ADA@example.com "})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Glacier Walk" in html and "HPC Summit" in html
    assert "Bob" not in html
    assert "Does not want news about future events" in html  # the later sign-up said no


def test_a_bad_address_gets_the_form_again(app):
    admin, csrf = admin_page(app)
    page = admin.post("/staff/privacy", data={"csrf_token": csrf, "email": "not an address"})
    assert page.status_code == 200
    assert "like name@example.com" in page.get_data(as_text=True)


def test_export_as_json(app, client):
    two_events_for_ada(app, client)
    admin, csrf = admin_page(app)
    response = admin.post(
        "/staff/privacy/export.json", data={"csrf_token": csrf, "email": "ada@example.com"}
    )
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert [r["event"]["title"] for r in data["registrations"]] == ["Glacier Walk", "HPC Summit"]
    assert data["registrations"][0]["dietary"] == "coeliac"
    assert all(r["emails"] for r in data["registrations"])
    assert data["marketing_choice"]["opted_in"] is False  # the later sign-up did not tick it


def test_erase_needs_confirmation_then_erases_and_audits_without_the_address(app, client):
    first, second = two_events_for_ada(app, client)
    admin, csrf = admin_page(app)
    admin.post("/staff/privacy", data={"csrf_token": csrf, "email": "ada@example.com"})
    unconfirmed = admin.post(
        "/staff/privacy/erase", data={"csrf_token": csrf, "email": "ada@example.com"}
    )
    assert unconfirmed.status_code == 200
    assert "Tick the box" in unconfirmed.get_data(as_text=True)
    assert export_rows(app, second)[0]["email"] == "ada@example.com"

    done = admin.post(
        "/staff/privacy/erase",
        data={"csrf_token": csrf, "email": "ada@example.com", "confirm": "y"},
    )
    assert done.status_code == 303
    page = admin.get(done.headers["Location"]).get_data(as_text=True)
    assert "Erased: 2 registrations" in page
    # Ada's seat went to Bob; her rows stay, empty of her.
    rows = export_rows(app, first)
    assert [(r["name"], r["status"]) for r in rows] == [
        ("Bob Babbage", "confirmed"),
        ("", "cancelled"),
    ]
    assert [(r["name"], r["email"]) for r in export_rows(app, second)] == [("", "")]
    with app.app_context():
        assert db.session.get(MarketingChoice, "ada@example.com") is None
        stored = repr(db.session.execute(select(Registration.__table__)).all())
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert "ada@example.com" not in stored.lower() and "coeliac" not in stored
    actions = [entry.action for entry in entries]
    assert {"privacy.lookup", "privacy.erase"} <= set(actions)
    assert not any("ada" in (entry.summary + repr(entry.changes)).lower() for entry in entries)
    again = admin.post("/staff/privacy", data={"csrf_token": csrf, "email": "ada@example.com"})
    assert "No registrations." in again.get_data(as_text=True)
