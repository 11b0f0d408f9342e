"""Helpers for the staff tests: accounts, attendees, and signing in through the real form."""

import itertools
import secrets

from werkzeug.security import generate_password_hash

from app.db import utcnow
from app.extensions import db
from app.models import Event, Registration, User
from tests.support.forms import csrf_token_from

PASSWORD = "correct horse battery staple"
# Hashing is deliberately slow; tests make many accounts with the same password.
_PASSWORD_HASH = generate_password_hash(PASSWORD)
_numbers = itertools.count(1)


def create_user(role: str = "staff", email: str | None = None, active: bool = True) -> User:
    user = User(
        email=email or f"{role}{next(_numbers)}@northlight.test",
        role=role,
        password_hash=_PASSWORD_HASH,
        active=active,
    )
    db.session.add(user)
    db.session.flush()
    return user


def create_registration(event: Event, status: str = "confirmed", **overrides) -> Registration:
    """A registration written the way the service leaves one (seat or ticket taken)."""
    n = next(_numbers)
    email = overrides.pop("email", f"person{n}@example.com")
    values = {
        "event": event,
        "manage_key": secrets.token_urlsafe(24),
        "name": f"Person {n}",
        "email": email,
        "email_normalized": email.lower(),
        "company": f"Company {n}",
        "job_title": "Engineer",
        "status": status,
        "registered_at": utcnow(),
        "consent_at": utcnow(),
    }
    if status == "confirmed":
        event.seats_taken += 1
    elif status == "waitlisted":
        event.waitlist_issued += 1
        values["waitlist_ticket"] = event.waitlist_issued
    elif status == "cancelled":
        values["cancelled_at"] = utcnow()
    values.update(overrides)
    registration = Registration(**values)
    db.session.add(registration)
    db.session.flush()
    return registration


def sign_in(client, email: str, password: str = PASSWORD, next_url: str | None = None):
    """Sign in through the form, CSRF token and all; the response to the POST."""
    url = "/staff/login" + (f"?next={next_url}" if next_url else "")
    page = client.get(url)
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(url, data={"email": email, "password": password, "csrf_token": token})


def signed_in_client(app, role: str):
    """A test client signed in as a new account with `role`; (client, user id)."""
    with app.app_context():
        user = create_user(role)
        db.session.commit()
        user_id, email = user.id, user.email
    client = app.test_client()
    response = sign_in(client, email)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client, user_id
