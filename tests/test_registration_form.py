"""The registration form as a visitor uses it: sign up, mistakes, duplicates, closed events."""

import re
import time
from datetime import timedelta

import pytest
from flask import session
from sqlalchemy import func, select

from app.db import utcnow
from app.extensions import db
from app.models import Event, OutboxMessage, Registration
from app.registration import forms
from tests.support.factories import make_event
from tests.support.forms import (
    csrf_token_from,
    hidden_value,
    open_form,
    register,
    submit,
)
from tests.support.outbox import compose_outbox
from tests.support.settings import FORM_SETTINGS


@pytest.fixture
def app_settings():
    return dict(FORM_SETTINGS)


def counts(app) -> tuple[int, int]:
    with app.app_context():
        registrations = db.session.scalar(select(func.count()).select_from(Registration))
        messages = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    return registrations, messages


def test_form_has_labelled_fields_with_public_names(app, client):
    slug = make_event(app, kind="field_trip")
    html = client.get(f"/events/{slug}/register").get_data(as_text=True)
    for name in ("name", "email", "company", "job_title", "dietary", "accessibility"):
        assert re.search(rf'<label for="{name}">', html), name
        assert f'name="{name}"' in html
    assert 'name="consent" required type="checkbox"' in html
    assert re.search(r'<input[^>]*id="marketing_opt_in"[^>]*type="checkbox" value="y">', html)
    assert "checked" not in html
    assert html.count("(required)") >= 3  # name, email, consent are marked
    assert 'href="/privacy"' in html
    assert 'class="honeypot" aria-hidden="true"' in html


def test_conference_form_has_no_dietary_field_and_ignores_one_sent(app, client):
    slug = make_event(app, kind="conference")
    assert 'name="dietary"' not in client.get(f"/events/{slug}/register").get_data(as_text=True)
    register(client, slug, dietary="Vegan")
    with app.app_context():
        assert db.session.scalar(select(Registration.dietary)) == ""


def test_sign_up_shows_confirmed_page_and_stores_one_row_and_one_email(app, client):
    slug = make_event(app, kind="field_trip", capacity=5)
    token = register(
        client,
        slug,
        name="  Ada Lovelace ",
        email="Ada.Lovelace@Example.COM",
        dietary="No nuts,\r\nplease",
        marketing_opt_in="y",
    )
    page = client.get(f"/registrations/{token}?registered=1")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Thank you, you are registered. Your seat is held." in html
    assert "An email with these details and a calendar file is on its way" in html
    with app.app_context():
        registration = db.session.scalar(select(Registration))
        assert registration.name == "Ada Lovelace"
        assert registration.email == "Ada.Lovelace@example.com"
        assert registration.email_normalized == "ada.lovelace@example.com"
        assert registration.dietary == "No nuts,\nplease"
        assert registration.status == "confirmed"
        assert registration.marketing_opt_in and registration.marketing_opt_in_at
        assert registration.consent_at is not None
        assert registration.manage_key not in token  # the link carries it signed, not bare
        assert registration.event.seats_taken == 1
        message = db.session.scalar(select(OutboxMessage))
        assert message.kind == "confirmation"
        assert message.to_address == "Ada.Lovelace@example.com"
        assert message.status == "pending"


def test_full_event_puts_people_on_the_waiting_list_with_their_position(app, client):
    slug = make_event(app, capacity=1)
    register(client, slug, email="first@example.com")
    second = register(client, slug, email="second@example.com")
    third = register(client, slug, email="third@example.com")
    html = client.get(f"/registrations/{third}?registered=1").get_data(as_text=True)
    assert "you are on the waiting list, number 2" in html
    assert "number 1" in client.get(f"/registrations/{second}").get_data(as_text=True)
    form = client.get(f"/events/{slug}/register").get_data(as_text=True)
    assert "Join the waiting list" in form
    with app.app_context():
        subjects = db.session.scalars(select(OutboxMessage.subject).order_by(OutboxMessage.id))
        assert list(subjects)[1:] == [
            "On the waiting list (number 1): Event " + slug.split("-")[1],
            "On the waiting list (number 2): Event " + slug.split("-")[1],
        ]


def test_same_address_again_creates_no_row_resends_and_reveals_nothing(app, client):
    slug = make_event(app)
    first = submit(client, slug, name="Grace Hopper", email="grace@example.com", company="Navy")
    other = app.test_client()
    response = submit(other, slug, name="Someone Else", email="  GRACE@Example.com ")
    assert response.status_code == 303
    # A new address and a registered one get the very same answer: nothing can be probed.
    assert response.headers["Location"] == first.headers["Location"]
    assert response.headers["Location"] == f"/events/{slug}/register/check-your-email"
    html = other.get(response.headers["Location"]).get_data(as_text=True)
    assert "We have emailed the details of your registration" in html
    assert "that link is sent by email only" in html
    for secret in ("Grace Hopper", "Navy", "/registrations/", "grace@example.com"):
        assert secret not in html
    compose_outbox(app)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
        assert db.session.scalar(select(Registration.name)) == "Grace Hopper"
        resent = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()[-1]
        assert resent.to_address == "grace@example.com"
        assert resent.subject.endswith("(sent again)")
        assert "Grace Hopper" in resent.body_text


def test_repeated_sign_ups_resend_the_confirmation_at_most_once_an_hour(app, client):
    slug = make_event(app)
    register(client, slug, email="grace@example.com")
    # A stranger submits the address again and again: the inbox gets one more email, not ten.
    for _ in range(10):
        other = app.test_client()
        assert submit(other, slug, email="grace@example.com").status_code == 303
    assert counts(app) == (1, 2)
    # An hour later the owner, who lost the email, can have it sent again.
    with app.app_context():
        registration = db.session.scalar(select(Registration))
        registration.confirmation_resent_at = utcnow() - timedelta(minutes=61)
        db.session.commit()
    assert submit(app.test_client(), slug, email="grace@example.com").status_code == 303
    assert submit(app.test_client(), slug, email="grace@example.com").status_code == 303
    assert counts(app) == (1, 3)


def test_cancelled_registration_can_sign_up_again_on_the_same_row(app, client):
    slug = make_event(app)
    old_token = register(client, slug, email="back@example.com")
    hidden = {"csrf_token": csrf_token_from(client.get(f"/registrations/{old_token}/cancel").text)}
    assert client.post(f"/registrations/{old_token}/cancel", data=hidden).status_code == 303
    new_token = register(client, slug, email="back@example.com", name="Back Again")
    assert new_token != old_token
    assert client.get(f"/registrations/{old_token}").status_code == 404
    assert "Back Again" in client.get(f"/registrations/{new_token}").get_data(as_text=True)
    with app.app_context():
        registration = db.session.scalar(select(Registration))
        assert (registration.status, registration.cancelled_at) == ("confirmed", None)
        assert db.session.get(Event, registration.event_id).seats_taken == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Enter your full name."),
        ("name", "   ", "Enter your full name."),
        ("name", "x" * 201, "Please keep this to 200 characters"),
        ("name", "Ada\x00Lovelace", "invisible control character"),
        ("name", "Ada\nLovelace", "invisible control character"),
        ("email", "", "Enter your email address"),
        ("email", "ada.example.com", "Enter an email address with an @"),
        ("email", "ada@", "Enter a valid email address"),
        ("email", "ada@@example.com", "Enter a valid email address"),
        ("email", "a" * 250 + "@example.com", "too long"),
        ("email", "ada@example.com\x07", "Enter a valid email address"),
        ("company", "c" * 201, "Please keep this to 200 characters"),
        ("company", "ACME\x1b[31m", "invisible control character"),
        ("job_title", "j" * 201, "Please keep this to 200 characters"),
        ("job_title", "Boss\x7f", "invisible control character"),
        ("dietary", "d" * 1001, "Please keep this to 1000 characters"),
        ("dietary", "Veg\x0can", "invisible control character"),
        ("accessibility", "a" * 1001, "Please keep this to 1000 characters"),
        ("accessibility", "Ramp\x00", "invisible control character"),
        ("consent", None, "Please agree to the privacy notice"),
    ],
)
def test_bad_input_shows_the_form_again_with_messages_and_stores_nothing(
    app, client, field, value, message
):
    slug = make_event(app, kind="field_trip")
    response = submit(client, slug, **{"job_title": "Kept Title", field: value})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = html[
        html.index('class="error-summary"') : html.index(
            "</div>", html.index('class="error-summary"')
        )
    ]
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary
    assert f'href="#{field}"' in summary and message in summary
    error = re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', html, re.S)
    assert error and message in error.group(1)
    field_tag = re.search(rf'<(?:input|textarea)[^>]*id="{field}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field_tag
    assert f"{field}-error" in field_tag  # aria-describedby points at the message
    assert html.startswith("<!doctype html>") and "<title>Error: Register for" in html
    if field != "job_title":
        assert 'value="Kept Title"' in html  # what was typed is kept
    assert counts(app) == (0, 0)


def test_control_characters_are_fine_as_line_breaks_in_text_areas(app, client):
    slug = make_event(app, kind="field_trip")
    register(client, slug, dietary="Vegetarian\n\tno mushrooms", accessibility="Ramp\r\nplease")
    with app.app_context():
        registration = db.session.scalar(select(Registration))
        assert registration.dietary == "Vegetarian\n\tno mushrooms"
        assert registration.accessibility == "Ramp\nplease"


def test_unicode_names_and_addresses_with_international_domains_are_welcome(app, client):
    slug = make_event(app)
    register(client, slug, name="Zoë Ødegård-Łukasiewicz 李", email="zoe@bücher.example")
    with app.app_context():
        registration = db.session.scalar(select(Registration))
        assert registration.name == "Zoë Ødegård-Łukasiewicz 李"
        assert registration.email == "zoe@bücher.example"


def test_a_filled_honeypot_is_refused_but_a_person_can_send_again(app, client):
    slug = make_event(app)
    response = submit(client, slug, website="http://spam.example")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "We could not accept the form as it was sent" in html
    assert re.search(r'<input[^>]*id="website"[^>]*value=""', html)  # emptied for a person
    assert 'value="Ada Lovelace"' in html
    assert counts(app) == (0, 0)
    hidden = {"csrf_token": csrf_token_from(html), "rendered": hidden_value(html, "rendered")}
    assert submit(client, slug, hidden=hidden).status_code == 303


def test_a_submit_faster_than_the_minimum_fill_time_is_shown_again(app, client):
    app.config["REGISTRATION_MIN_FILL_SECONDS"] = 3600
    slug = make_event(app)
    response = submit(client, slug)
    assert response.status_code == 422
    assert "That was quicker than people usually type" in response.get_data(as_text=True)
    assert counts(app) == (0, 0)


def test_a_missing_or_forged_render_stamp_is_shown_again(app, client):
    slug = make_event(app)
    hidden = open_form(client, slug)
    for rendered in ("", "forged.stamp", hidden["rendered"][:-2] + "xx"):
        response = submit(client, slug, hidden={**hidden, "rendered": rendered})
        assert response.status_code == 422
        assert "This form has expired or was changed" in response.get_data(as_text=True)
    assert counts(app) == (0, 0)


def stamp_in_session_of(client, event_id: int) -> str:
    """A render stamp for `event_id` made for `client`'s session, as the form would carry."""
    with client.session_transaction() as kept:
        secret = kept["csrf_token"]
    with client.application.test_request_context():
        session["csrf_token"] = secret
        return forms.stamp(event_id)


def form_opened_seconds_ago(client, slug: str, seconds: float, monkeypatch) -> dict:
    """The form's hidden fields as if the page had been shown `seconds` ago."""
    with monkeypatch.context() as patch:
        patch.setattr(forms, "now", lambda: time.time() - seconds)
        return open_form(client, slug)


def test_an_old_render_stamp_passes_the_fill_time_check(app, client, monkeypatch):
    app.config["REGISTRATION_MIN_FILL_SECONDS"] = 2
    slug = make_event(app)
    hidden = form_opened_seconds_ago(client, slug, 5, monkeypatch)
    assert submit(client, slug, hidden=hidden).status_code == 303


def test_a_render_stamp_from_another_visitors_session_is_refused(app, client):
    slug = make_event(app)
    # A bot fetches one form, then replays its stamp from fresh sessions for ever.
    harvested = open_form(app.test_client(), slug)["rendered"]
    hidden = open_form(client, slug)
    response = submit(client, slug, hidden={**hidden, "rendered": harvested})
    assert response.status_code == 422
    assert "This form has expired or was changed" in response.get_data(as_text=True)
    assert counts(app) == (0, 0)
    # The visitor's own stamp still works.
    assert submit(client, slug, hidden=hidden).status_code == 303


def test_a_render_stamp_older_than_the_maximum_age_is_refused(app, client, monkeypatch):
    slug = make_event(app)
    max_age = app.config["REGISTRATION_FORM_MAX_AGE_SECONDS"]
    assert 3600 <= max_age <= 12 * 3600
    hidden = form_opened_seconds_ago(client, slug, max_age + 60, monkeypatch)
    response = submit(client, slug, hidden=hidden)
    assert response.status_code == 422
    assert "This form has expired or was changed" in response.get_data(as_text=True)
    assert counts(app) == (0, 0)
    hidden = form_opened_seconds_ago(client, slug, max_age - 60, monkeypatch)
    assert submit(client, slug, hidden=hidden).status_code == 303


def test_a_form_without_its_csrf_token_comes_back_with_the_details_kept(app, client):
    slug = make_event(app)
    hidden = open_form(client, slug)
    response = submit(client, slug, hidden={**hidden, "csrf_token": "stale"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "the form had expired" in html
    assert 'value="Ada Lovelace"' in html
    assert counts(app) == (0, 0)
    fresh = {"csrf_token": csrf_token_from(html), "rendered": hidden_value(html, "rendered")}
    assert submit(client, slug, hidden=fresh).status_code == 303


def closed_cases():
    now = utcnow()
    return {
        "not yet open": (
            {"registration_opens_at": now + timedelta(days=1)},
            "Registration has not opened yet.",
        ),
        "closed": ({"registration_closes_at": now - timedelta(hours=1)}, "Registration is closed."),
        "started": (
            {"starts_at": now - timedelta(hours=1)},
            "Registration is closed: this event has already started.",
        ),
        "past": ({"starts_at": now - timedelta(days=10)}, "this event has already started"),
        "cancelled": ({"status": "cancelled"}, "This event has been cancelled."),
        "full without waitlist": (
            {"capacity": 2, "seats_taken": 2, "waitlist_enabled": False},
            "This event is full and has no waiting list.",
        ),
    }


@pytest.mark.parametrize("case", list(closed_cases()))
def test_closed_registration_says_so_and_a_post_stores_nothing(app, client, case):
    overrides, message = closed_cases()[case]
    slug = make_event(app, **overrides)
    page = client.get(f"/events/{slug}/register")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert message in html
    assert 'name="email"' not in html
    assert message in client.get(f"/events/{slug}").get_data(as_text=True)
    # A form opened earlier, sent now: refused, nothing stored.
    csrf = form_token(app, client)
    with app.app_context():
        event_id = db.session.scalar(select(Event.id).where(Event.slug == slug))
    hidden = {"csrf_token": csrf, "rendered": stamp_in_session_of(client, event_id)}
    response = submit(client, slug, hidden=hidden)
    assert response.status_code == 409
    assert message in response.get_data(as_text=True)
    assert "Nothing has been stored." in response.get_data(as_text=True)
    assert counts(app) == (0, 0)


def form_token(app, client) -> str:
    """A CSRF token for this client's session, from any open form."""
    slug = make_event(app)
    return open_form(client, slug)["csrf_token"]


def test_unpublished_events_have_no_form(app, client):
    slug = make_event(app, status="draft")
    assert client.get(f"/events/{slug}/register").status_code == 404
    assert client.post(f"/events/{slug}/register", data={}).status_code in (400, 404)
    assert client.get("/events/no-such-event/register").status_code == 404
    assert counts(app) == (0, 0)


def test_event_filling_up_while_the_form_is_open_stores_nothing(app, client):
    slug = make_event(app, capacity=1, waitlist_enabled=False)
    hidden = open_form(client, slug)
    register(app.test_client(), slug, email="quick@example.com")
    response = submit(client, slug, hidden=hidden, email="slow@example.com")
    assert response.status_code == 409
    assert "This event is full and has no waiting list." in response.get_data(as_text=True)
    assert counts(app) == (1, 1)


def test_a_seat_taken_between_the_check_and_the_write_stores_nothing(app):
    """The sign-up's check saw a free seat; another sign-up took it and committed before
    this one's seat UPDATE: the visitor is told, and no row or email of theirs is kept."""
    from sqlalchemy.orm.attributes import set_committed_value

    from app.registration import service

    slug = make_event(app, capacity=1, waitlist_enabled=False)
    register(app.test_client(), slug, email="quick@example.com")
    with app.test_request_context(method="POST"):
        event = db.session.scalar(select(Event).filter_by(slug=slug))
        set_committed_value(event, "seats_taken", 0)  # as the check read it, a moment earlier
        details = {"name": "Slow", "email": "slow@example.com", "consent": True, "answers": {}}
        result = service.register(event, details)
        db.session.commit()
    assert (result.outcome, result.message) == ("full", "Sorry, the last seat has just been taken.")
    assert counts(app) == (1, 1)
    with app.app_context():
        assert db.session.scalars(select(Registration.email)).all() == ["quick@example.com"]
        assert db.session.scalar(select(Event.seats_taken)) == 1


def test_the_email_row_carries_the_id_of_the_request_that_queued_it(app, client):
    slug = make_event(app)
    response = submit(client, slug)
    assert response.status_code == 303
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        assert message.request_id and message.request_id == response.headers["X-Request-ID"]
