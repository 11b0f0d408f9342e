"""Guessing cannot lock the owner out: a browser that signed in before carries a device cookie,
is limited on its own and is exempt from the account-wide lockout; the owner is told by email
when the account was locked; every attempt is on the audit page (issue 10, defect 5)."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage, SignInAttempt
from app.staff.services.sessions import DEVICE_COOKIE
from tests.support.forms import csrf_token_from
from tests.support.staff import PASSWORD, create_user, signed_in_client

OWNER = "owner@northlight.test"
OWNER_ADDRESS = {"REMOTE_ADDR": "192.0.2.10"}


@pytest.fixture
def app_settings():
    return {"RATELIMIT_ENABLED": True}


@pytest.fixture
def owner_browser(app):
    """The owner's browser after one sign-in and sign-out: it holds a device cookie."""
    with app.app_context():
        create_user("admin", email=OWNER)
        db.session.commit()
    browser = app.test_client()
    assert post_login(browser, OWNER, PASSWORD, OWNER_ADDRESS).status_code == 302
    assert browser.get_cookie(DEVICE_COOKIE, path="/staff/login") is not None
    token = csrf_token_from(browser.get("/staff/", environ_base=OWNER_ADDRESS).get_data(True))
    browser.post("/staff/logout", data={"csrf_token": token}, environ_base=OWNER_ADDRESS)
    return browser


def post_login(client, email, password, environ):
    page = client.get("/staff/login", environ_base=environ)
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(
        "/staff/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base=environ,
    )


def guess_from_strangers(app, email, times, first=1):
    return [
        post_login(
            app.test_client(), email, "wrong password!", {"REMOTE_ADDR": f"10.9.0.{n}"}
        ).status_code
        for n in range(first, first + times)
    ]


def lock_mails(app):
    with app.app_context():
        return db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "staff_account_locked")
        ).all()


def test_ten_wrong_passwords_from_elsewhere_do_not_stop_the_owner_with_a_device_cookie(
    app, owner_browser
):
    assert guess_from_strangers(app, OWNER, 11) == [200] * 10 + [429]
    # A new browser with the right password is still refused: the lockout stays for strangers.
    assert (
        post_login(app.test_client(), OWNER, PASSWORD, {"REMOTE_ADDR": "10.9.1.1"}).status_code
        == 429
    )
    response = post_login(owner_browser, OWNER, PASSWORD, OWNER_ADDRESS)
    assert response.status_code == 302
    assert owner_browser.get("/staff/", environ_base=OWNER_ADDRESS).status_code == 200


def test_the_owner_is_emailed_once_when_the_account_is_locked(app, owner_browser):
    guess_from_strangers(app, OWNER, 9)
    assert lock_mails(app) == []
    guess_from_strangers(app, OWNER, 3, first=20)
    mails = lock_mails(app)
    assert len(mails) == 1
    assert mails[0].to_address == OWNER
    assert "wrong password 10 times" in mails[0].body_text
    assert "A browser you signed in from before still lets you in" in mails[0].body_text


def test_a_device_cookie_is_limited_on_its_own(app, owner_browser):
    codes = [
        post_login(
            owner_browser, OWNER, "wrong password!", {"REMOTE_ADDR": f"10.8.0.{n}"}
        ).status_code
        for n in range(11)
    ]
    assert codes == [200] * 10 + [429]
    # Those guesses did not count against the account: a fresh browser may still try.
    assert (
        post_login(app.test_client(), OWNER, PASSWORD, {"REMOTE_ADDR": "10.8.1.1"}).status_code
        == 302
    )


def test_a_device_cookie_only_vouches_for_its_own_account(app, owner_browser):
    with app.app_context():
        create_user("staff", email="colleague@northlight.test")
        db.session.commit()
    codes = [
        post_login(
            owner_browser,
            "colleague@northlight.test",
            "wrong password!",
            {"REMOTE_ADDR": f"10.7.0.{n}"},
        ).status_code
        for n in range(11)
    ]
    assert codes == [200] * 10 + [429]


def test_a_forged_device_cookie_is_ignored(app, owner_browser):
    thief = app.test_client()
    thief.set_cookie(
        DEVICE_COOKIE, "eyJsb2dpbiI6Im93bmVyQG5vcnRobGlnaHQudGVzdCJ9.forged", path="/staff/login"
    )
    guess_from_strangers(app, OWNER, 10)
    assert post_login(thief, OWNER, PASSWORD, {"REMOTE_ADDR": "10.6.0.1"}).status_code == 429


def test_sign_ins_accepted_and_refused_are_on_the_audit_page(app, owner_browser):
    guess_from_strangers(app, OWNER, 2)
    post_login(
        app.test_client(), "nobody@northlight.test", "whatever!", {"REMOTE_ADDR": "10.5.0.1"}
    )
    with app.app_context():
        outcomes = db.session.scalars(
            select(SignInAttempt.outcome).order_by(SignInAttempt.id)
        ).all()
    assert outcomes == ["accepted", "refused", "refused", "refused"]
    admin, _ = signed_in_client(app, "admin")
    html = admin.get("/staff/audit").get_data(as_text=True)
    assert "Sign-in attempts" in html
    assert "10.9.0.1" in html and "10.5.0.1" in html
    assert "nobody@northlight.test" in html and "(no such account)" in html
    assert html.count("<td>refused</td>") == 3
