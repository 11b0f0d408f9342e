"""Attendees' rights from their own link: download, delete, marketing consent."""

import csv
import io
import json
import threading

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Event, MarketingChoice, OutboxMessage, Registration
from tests.support.factories import make_event
from tests.support.forms import csrf_token_from, form_token, register
from tests.support.settings import FORM_SETTINGS
from tests.support.staff import signed_in_client


@pytest.fixture
def app_settings():
    return dict(FORM_SETTINGS)


def full_trip(app, client):
    """A one-seat field trip: Ada has the seat, Bob waits; (slug, ada's token, bob's token)."""
    slug = make_event(app, kind="field_trip", title="Glacier Walk", capacity=1)
    ada = register(
        client, slug, email="ada@example.com", dietary="coeliac", accessibility="wheelchair"
    )
    bob = register(client, slug, name="Bob Babbage", email="bob@example.com")
    return slug, ada, bob


def export(app, slug: str) -> list[dict]:
    staff, _ = signed_in_client(app, "staff")
    body = staff.get(f"/staff/events/{slug}/attendees.csv").get_data()
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def erase(client, token: str):
    csrf = form_token(client, f"/registrations/{token}/erase")
    return client.post(f"/registrations/{token}/erase", data={"csrf_token": csrf})


def test_data_json_holds_what_the_manage_page_shows_and_more(app, client):
    slug, ada, _ = full_trip(app, client)
    page = client.get(f"/registrations/{ada}").get_data(as_text=True)
    assert f"/registrations/{ada}/data.json" in page
    response = client.get(f"/registrations/{ada}/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    for shown in ("Ada Lovelace", "ada@example.com", "coeliac", "wheelchair"):
        assert shown in page
    assert data["name"] == "Ada Lovelace"
    assert data["email"] == "ada@example.com"
    assert data["dietary"] == "coeliac" and data["accessibility"] == "wheelchair"
    assert data["status"] == "confirmed" and data["waitlist_position"] is None
    assert data["event"]["title"] == "Glacier Walk"
    # More than the page: the emails sent and the consent records, with the words agreed to.
    assert [m["subject"] for m in data["emails"]] and all(m["status"] for m in data["emails"])
    notice = data["consent"]["privacy_notice"]
    assert notice["agreed_at"] and len(notice["version"]) == 64
    assert "I have read the privacy notice" in notice["text"]
    assert data["marketing_choice"] == {
        "opted_in": False,
        "changed_at": data["marketing_choice"]["changed_at"],
        "source": "sign-up",
    }


@pytest.mark.parametrize("path", ["data.json", "erase"])
def test_a_tampered_token_is_404_and_changes_nothing(app, client, path):
    slug, ada, _ = full_trip(app, client)
    tampered = ada[:-2] + ("AA" if not ada.endswith("AA") else "BB")
    assert client.get(f"/registrations/{tampered}/{path}").status_code == 404
    csrf = form_token(client, f"/registrations/{ada}/erase")
    assert (
        client.post(f"/registrations/{tampered}/erase", data={"csrf_token": csrf}).status_code
        == 404
    )
    assert client.get(f"/registrations/{ada}").status_code == 200
    assert [row["name"] for row in export(app, slug)] == ["Ada Lovelace", "Bob Babbage"]


def test_erase_frees_the_seat_promotes_and_leaves_no_trace(app, client):
    slug, ada, bob = full_trip(app, client)
    waiting = json.loads(client.get(f"/registrations/{bob}/data.json").get_data(as_text=True))
    assert (waiting["status"], waiting["waitlist_position"]) == ("waitlisted", 1)
    confirm = client.get(f"/registrations/{ada}/erase").get_data(as_text=True)
    assert "Yes, delete my data" in confirm and "cancelled first" in confirm
    response = erase(client, ada)
    assert response.status_code == 303
    done = client.get(response.headers["Location"])
    assert done.status_code == 200
    text = done.get_data(as_text=True)
    assert "Your data has been deleted" in text and "Ada" not in text

    assert client.get(f"/registrations/{ada}").status_code == 404
    assert client.get(f"/registrations/{ada}/data.json").status_code == 404
    bob_data = json.loads(client.get(f"/registrations/{bob}/data.json").get_data(as_text=True))
    assert bob_data["status"] == "confirmed" and bob_data["promoted_at"]
    rows = export(app, slug)
    assert [(r["name"], r["email"], r["status"]) for r in rows] == [
        ("Bob Babbage", "bob@example.com", "confirmed"),
        ("", "", "cancelled"),
    ]
    assert rows[1]["dietary"] == "" and rows[1]["accessibility"] == ""
    with app.app_context():
        stored = repr(db.session.execute(select(Registration.__table__)).all())
        stored += repr(db.session.execute(select(OutboxMessage.__table__)).all())
        stored += repr(db.session.execute(select(AuditEntry.__table__)).all())
        stored += repr(db.session.execute(select(MarketingChoice.__table__)).all())
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        assert event.seats_taken == 1
        # No email carries the data afterwards: nothing is left to send to Ada.
        pending = db.session.scalars(
            select(OutboxMessage.to_address).where(OutboxMessage.status == "pending")
        ).all()
    for personal in ("Ada", "ada@example.com", "coeliac", "wheelchair"):
        assert personal not in stored
    assert "ada@example.com" not in pending


def test_a_second_erase_is_harmless(app, client):
    slug, ada, _ = full_trip(app, client)
    csrf = form_token(client, f"/registrations/{ada}/erase")
    assert client.post(f"/registrations/{ada}/erase", data={"csrf_token": csrf}).status_code == 303
    again = client.post(f"/registrations/{ada}/erase", data={"csrf_token": csrf})
    assert again.status_code == 404
    assert [r["status"] for r in export(app, slug)] == ["confirmed", "cancelled"]


def test_erase_without_the_form_token_changes_nothing(app, client):
    slug, ada, _ = full_trip(app, client)
    assert client.post(f"/registrations/{ada}/erase").status_code == 400
    assert client.get(f"/registrations/{ada}").status_code == 200


def test_withdrawing_and_giving_marketing_consent_on_the_manage_page(app, client):
    slug = make_event(app, title="Open Day")
    ada = register(client, slug, marketing_opt_in="y")
    assert "Withdraw this consent" in client.get(f"/registrations/{ada}").get_data(as_text=True)
    page = client.get(f"/registrations/{ada}/marketing").get_data(as_text=True)
    assert "Stop emails about future events" in page
    assert export(app, slug)[0]["marketing_opt_in"] == "yes"
    assert export(app, slug)[0]["marketing_consent_version"]

    csrf = csrf_token_from(page)
    response = client.post(
        f"/registrations/{ada}/marketing", data={"csrf_token": csrf, "marketing_opt_in": "no"}
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "we will not email you about future events" in page
    assert "News about future events: <strong>no</strong>" in page
    row = export(app, slug)[0]
    assert row["marketing_opt_in"] == "no" and row["marketing_consent_version"] == ""
    with app.app_context():
        choice = db.session.get(MarketingChoice, "ada@example.com")
        assert (choice.opted_in, choice.source) == (False, "manage page")

    client.post(
        f"/registrations/{ada}/marketing", data={"csrf_token": csrf, "marketing_opt_in": "yes"}
    )
    row = export(app, slug)[0]
    assert row["marketing_opt_in"] == "yes" and row["marketing_opt_in_at"]
    assert row["marketing_consent_version"]
    bad = client.post(
        f"/registrations/{ada}/marketing", data={"csrf_token": csrf, "marketing_opt_in": "maybe"}
    )
    assert bad.status_code == 400
    assert export(app, slug)[0]["marketing_opt_in"] == "yes"


def test_erase_racing_a_staff_cancel_leaves_no_half_erased_row(app, client):
    slug, ada, bob = full_trip(app, client)
    staff, _ = signed_in_client(app, "staff")
    with app.app_context():
        ada_id = db.session.scalar(
            select(Registration.id).where(Registration.email_normalized == "ada@example.com")
        )
    page = staff.get(f"/staff/events/{slug}/attendees").get_data(as_text=True)
    staff_csrf = csrf_token_from(page)
    erase_csrf = form_token(client, f"/registrations/{ada}/erase")
    barrier = threading.Barrier(2)
    answers = {}

    def attendee():
        barrier.wait()
        answers["erase"] = client.post(
            f"/registrations/{ada}/erase", data={"csrf_token": erase_csrf}
        ).status_code

    def desk():
        barrier.wait()
        answers["cancel"] = staff.post(
            f"/staff/events/{slug}/attendees/{ada_id}/cancel", data={"csrf_token": staff_csrf}
        ).status_code

    threads = [threading.Thread(target=attendee), threading.Thread(target=desk)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert answers == {"erase": 303, "cancel": 302}
    with app.app_context():
        row = db.session.get(Registration, ada_id)
        assert row.status == "cancelled" and row.anonymised_at is not None
        assert (row.name, row.email, row.dietary, row.accessibility) == ("", "", "", "")
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        assert event.seats_taken == 1  # freed once, given to Bob
        summaries = db.session.scalars(select(AuditEntry.summary)).all()
    assert not any("Ada" in summary for summary in summaries)
    assert [r["status"] for r in export(app, slug)] == ["confirmed", "cancelled"]
