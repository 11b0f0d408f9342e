"""Forms as a browser fills them in: CSRF tokens, hidden fields, the registration form."""

import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import OutboxMessage
from tests.support.outbox import compose_outbox


def csrf_token_from(html: str) -> str:
    """The CSRF token of the first form on a page, as a browser would submit it."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "page has no csrf_token field"
    return match.group(1)


def hidden_value(html: str, name: str) -> str:
    """The value of the field `name` on a page (a hidden field the browser sends back)."""
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html)
    assert match, f"no {name} field on the page"
    return match.group(1)


def form_token(client, url: str) -> str:
    """The CSRF token from the form on `url`, as a browser would have it."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return csrf_token_from(response.get_data(as_text=True))


def open_form(client, slug: str) -> dict:
    """GET the registration form as a browser does: the hidden fields it would send back."""
    response = client.get(f"/events/{slug}/register")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return {"csrf_token": csrf_token_from(html), "rendered": hidden_value(html, "rendered")}


def submit(client, slug: str, hidden: dict | None = None, **fields):
    """POST the registration form with sensible answers, overridden by `fields`
    (a field given as None is left out)."""
    hidden = hidden or open_form(client, slug)
    data = {
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "company": "Analytical Engines Ltd",
        "job_title": "Programmer",
        "accessibility": "",
        "consent": "y",
        **hidden,
    }
    for key, value in fields.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return client.post(f"/events/{slug}/register", data=data)


def register(client, slug: str, **fields) -> str:
    """Sign up and return the manage token from the email, the only place it is sent."""
    response = submit(client, slug, **fields)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert response.headers["Location"] == f"/events/{slug}/register/check-your-email"
    return manage_token_from_mail(client.application, fields.get("email", "ada@example.com"))


def manage_token_from_mail(app, address: str) -> str:
    """The manage token in the newest email queued to `address` (as its owner reads it)."""
    compose_outbox(app)
    with app.app_context():
        bodies = db.session.scalars(
            select(OutboxMessage.body_text)
            .where(func.lower(OutboxMessage.to_address) == address.strip().lower())
            .order_by(OutboxMessage.id.desc())
        ).all()
    for body in bodies:
        match = re.search(r"/registrations/([\w.-]+)", body)
        if match:
            return match.group(1)
    raise AssertionError(f"no email with a manage link to {address}")
