"""Staff sessions end when they should: at sign-out (every copy of the cookie), at a demotion or
deactivation, after 30 minutes idle and 12 hours in all (issue 10, defect 4)."""

import time

import pytest

from app.extensions import db
from app.models import User
from app.staff.services import sessions
from tests.support.forms import csrf_token_from, form_token
from tests.support.staff import sign_in, signed_in_client


def copy_session(app, source):
    """A second browser holding a copy of `source`'s session cookie, as a thief would."""
    thief = app.test_client()
    cookie = source.get_cookie("session")
    thief.set_cookie("session", cookie.value, domain=cookie.domain, path=cookie.path)
    return thief


def sign_out(client):
    token = csrf_token_from(client.get("/staff/").get_data(as_text=True))
    return client.post("/staff/logout", data={"csrf_token": token})


def test_a_session_cookie_copied_before_sign_out_is_refused_after_it(app):
    owner, _ = signed_in_client(app, "staff")
    thief = copy_session(app, owner)
    assert thief.get("/staff/").status_code == 200
    assert sign_out(owner).headers["Location"] == "/staff/login"
    response = thief.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/login"
    assert thief.get("/staff/events/").status_code == 302


def test_signing_out_in_one_browser_ends_the_accounts_other_sessions(app):
    laptop, user_id = signed_in_client(app, "staff")
    with app.app_context():
        email = db.session.get(User, user_id).email
    phone = app.test_client()
    assert sign_in(phone, email).status_code == 302
    assert phone.get("/staff/").status_code == 200
    sign_out(laptop)
    assert phone.get("/staff/").status_code == 302
    assert "Your session has ended" in phone.get("/staff/login").get_data(as_text=True)


def test_a_demotion_ends_the_sessions_of_that_account(app):
    admin, _ = signed_in_client(app, "admin")
    other, other_id = signed_in_client(app, "marketing")
    assert other.get("/staff/articles/").status_code == 200
    url = f"/staff/users/{other_id}"
    data = {"role": "staff", "active": "y", "csrf_token": form_token(admin, url)}
    assert admin.post(url, data=data).status_code == 302
    assert other.get("/staff/").status_code == 302
    assert admin.get("/staff/").status_code == 200


@pytest.mark.parametrize(
    ("key", "age_seconds", "message"),
    [
        (sessions.SEEN_KEY, 31 * 60, "after 30 minutes without activity"),
        (sessions.STARTED_KEY, 12 * 3600 + 60, "after 12 hours"),
    ],
)
def test_a_session_ends_after_30_minutes_idle_or_12_hours_in_all(app, key, age_seconds, message):
    client, _ = signed_in_client(app, "staff")
    with client.session_transaction() as stored:
        stored[key] = int(time.time()) - age_seconds
    response = client.get("/staff/events/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/login"
    assert message in client.get("/staff/login").get_data(as_text=True)
    assert client.get("/staff/").status_code == 302


def test_a_session_used_within_30_minutes_lives_on(app):
    client, _ = signed_in_client(app, "staff")
    with client.session_transaction() as stored:
        stored[sessions.SEEN_KEY] = int(time.time()) - 29 * 60
        stored[sessions.STARTED_KEY] = int(time.time()) - 11 * 3600
    assert client.get("/staff/").status_code == 200
    # The request counted as activity: the idle clock starts again.
    with client.session_transaction() as stored:
        assert time.time() - stored[sessions.SEEN_KEY] < 5
    assert client.get("/staff/").status_code == 200


class TestShorterLimits:
    @pytest.fixture
    def app_settings(self):
        return {"STAFF_IDLE_MINUTES": 5, "STAFF_SESSION_HOURS": 1}

    def test_the_limits_come_from_the_settings(self, app):
        client, _ = signed_in_client(app, "staff")
        with client.session_transaction() as stored:
            stored[sessions.SEEN_KEY] = int(time.time()) - 6 * 60
        assert client.get("/staff/").status_code == 302
        assert "after 5 minutes" in client.get("/staff/login").get_data(as_text=True)
