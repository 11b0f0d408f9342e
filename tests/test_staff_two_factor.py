"""An optional TOTP second factor for staff, recovery codes, and STAFF_REQUIRE_2FA for admins."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pyotp
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, User
from tests.support.forms import csrf_token_from
from tests.support.staff import sign_in, signed_in_client

SETUP = "/staff/account/two-factor"


def post_form(client, url: str, **fields):
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={**fields, "csrf_token": token})


def turn_on(client) -> tuple[str, list[str]]:
    """Set the factor up as a person would: read the secret off the page, type a code."""
    page = client.get(SETUP).get_data(as_text=True)
    secret = re.search(r"Secret: <code>([A-Z2-7]+)</code>", page).group(1)
    response = post_form(client, SETUP, code=pyotp.TOTP(secret).now())
    html = response.get_data(as_text=True)
    assert "Two-factor sign-in is on" in html
    return secret, re.findall(r"<li><code>([0-9a-f]{10})</code></li>", html)


def email_of(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).email


def test_the_setup_page_draws_the_qr_code_itself_and_a_wrong_code_changes_nothing(app):
    client, user_id = signed_in_client(app, "staff")
    html = client.get(SETUP).get_data(as_text=True)
    assert '<svg role="img" aria-label="QR code of the secret"' in html
    assert "http" not in html[html.index("<svg") : html.index("</svg>")]  # nothing fetched
    response = post_form(client, SETUP, code="000000")
    assert response.status_code == 200
    assert "That code is not right" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user_id).totp_secret is None


def test_with_the_factor_on_a_password_alone_does_not_sign_in(app):
    client, user_id = signed_in_client(app, "staff")
    secret, codes = turn_on(client)
    assert len(codes) == 10
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action)).all()
        assert "account.two_factor_on" in actions
        assert db.session.get(User, user_id).recovery_code_hashes[0] not in codes  # hashes only
    email = email_of(app, user_id)
    browser = app.test_client()
    response = sign_in(browser, email)
    assert response.headers["Location"].startswith("/staff/login/code")
    assert browser.get("/staff/").status_code == 302  # not signed in yet
    wrong = post_form(browser, "/staff/login/code", code="123456")
    assert "That code is not right" in wrong.get_data(as_text=True)
    assert browser.get("/staff/").status_code == 302
    right = post_form(browser, "/staff/login/code", code=pyotp.TOTP(secret).now())
    assert right.status_code == 302 and right.headers["Location"] == "/staff/"
    assert browser.get("/staff/").status_code == 200


def test_a_recovery_code_works_once(app):
    client, user_id = signed_in_client(app, "staff")
    _, codes = turn_on(client)
    email = email_of(app, user_id)
    first = app.test_client()
    sign_in(first, email)
    assert post_form(first, "/staff/login/code", code=codes[0]).status_code == 302
    assert first.get("/staff/").status_code == 200
    second = app.test_client()
    sign_in(second, email)
    again = post_form(second, "/staff/login/code", code=codes[0])
    assert "That code is not right" in again.get_data(as_text=True)
    assert "9 unused recovery codes" in first.get(SETUP).get_data(as_text=True)


def test_one_recovery_code_used_by_two_browsers_at_once_lets_in_only_one(app):
    client, user_id = signed_in_client(app, "staff")
    _, codes = turn_on(client)
    email = email_of(app, user_id)
    browsers = [app.test_client() for _ in range(4)]
    tokens = []
    for browser in browsers:
        sign_in(browser, email)
        tokens.append(csrf_token_from(browser.get("/staff/login/code").get_data(as_text=True)))
    start = threading.Barrier(len(browsers))

    def use_code(index: int) -> int:
        start.wait()
        data = {"code": codes[0], "csrf_token": tokens[index]}
        return browsers[index].post("/staff/login/code", data=data).status_code

    with ThreadPoolExecutor(len(browsers)) as pool:
        statuses = list(pool.map(use_code, range(len(browsers))))
    assert sorted(statuses) == [200, 200, 200, 302]


def test_the_code_step_needs_a_right_password_first(app, client):
    response = client.get("/staff/login/code")
    assert response.status_code == 302 and response.headers["Location"] == "/staff/login"


def test_turning_it_off_needs_the_current_password(app):
    client, user_id = signed_in_client(app, "staff")
    turn_on(client)
    refused = post_form(client, SETUP, password="not my password at all")
    assert "That is not your current password" in refused.get_data(as_text=True)
    post_form(client, SETUP, password="correct horse battery staple")
    with app.app_context():
        assert db.session.get(User, user_id).totp_secret is None


@pytest.fixture
def app_settings():
    return {"STAFF_REQUIRE_2FA": True}


def test_required_for_admins_sends_them_to_setup_first(app):
    admin, _ = signed_in_client(app, "admin")
    response = admin.get("/staff/events/")
    assert response.status_code == 302 and response.headers["Location"] == SETUP
    assert "Admin accounts need a second factor" in admin.get(SETUP).get_data(as_text=True)
    turn_on(admin)
    assert admin.get("/staff/events/").status_code == 200
    staff, _ = signed_in_client(app, "staff")  # other roles may choose
    assert staff.get("/staff/events/").status_code == 200
