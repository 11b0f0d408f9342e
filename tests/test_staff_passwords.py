"""Staff passwords: changing your own (current one required), temporary passwords an admin sets
that must be changed at next sign-in, and the rules every new password meets."""

import pytest

from app.extensions import db
from app.models import User
from app.staff.services.passwords import common_passwords, password_problem
from tests.support.forms import form_token
from tests.support.staff import PASSWORD, sign_in, signed_in_client

NEW = "violet kettle under lantern"


def email_of(app, user_id):
    with app.app_context():
        return db.session.get(User, user_id).email


def change_password(client, current, new, confirm=None):
    url = "/staff/account/password"
    data = {
        "current_password": current,
        "password": new,
        "confirm": new if confirm is None else confirm,
        "csrf_token": form_token(client, url),
    }
    return client.post(url, data=data)


def test_changing_your_password_ends_your_other_sessions_but_not_this_one(app):
    client, user_id = signed_in_client(app, "staff")
    email = email_of(app, user_id)
    other = app.test_client()
    assert sign_in(other, email).status_code == 302
    response = change_password(client, PASSWORD, NEW)
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    assert other.get("/staff/").status_code == 302
    assert sign_in(app.test_client(), email, PASSWORD).status_code == 200
    assert sign_in(app.test_client(), email, NEW).status_code == 302


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("not my password at all", NEW, None, "That is not your current password."),
        (PASSWORD, "short one", None, "at least 12 characters"),
        (PASSWORD, "Password2026!", None, "one of the most common"),
        (PASSWORD, "qwertyuiop123", None, "one of the most common"),
        (PASSWORD, "Summer2025!!", None, "one of the most common"),
        (PASSWORD, "aaaaaaaaaaaaaaaa", None, "one of the most common"),
        (PASSWORD, "my northlight password", None, "must not contain the site"),
        (PASSWORD, NEW, "something else entirely", "The passwords do not match."),
        (PASSWORD, PASSWORD, None, "different from the current one"),
    ],
)
def test_a_refused_password_change_says_why_and_changes_nothing(
    app, current, new, confirm, message
):
    client, user_id = signed_in_client(app, "staff")
    response = change_password(client, current, new, confirm)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert sign_in(app.test_client(), email_of(app, user_id), PASSWORD).status_code == 302


def test_a_password_holding_your_own_address_is_refused(app):
    client, user_id = signed_in_client(app, "staff")
    local = email_of(app, user_id).split("@")[0]
    response = change_password(client, PASSWORD, f"{local} is my name here")
    assert "must not contain your email address" in response.get_data(as_text=True)


def set_temporary(admin, user_id, password):
    url = f"/staff/users/{user_id}"
    data = {"password": password, "confirm": password, "csrf_token": form_token(admin, url)}
    return admin.post(f"{url}/password", data=data)


def test_a_temporary_password_must_be_changed_at_the_next_sign_in(app):
    admin, _ = signed_in_client(app, "admin")
    user, user_id = signed_in_client(app, "marketing")
    response = set_temporary(admin, user_id, "temporary lantern 42")
    assert response.headers["Location"] == "/staff/users/"
    assert user.get("/staff/").status_code == 302  # their session ended
    fresh = app.test_client()
    email = email_of(app, user_id)
    assert sign_in(fresh, email, PASSWORD).status_code == 200
    assert sign_in(fresh, email, "temporary lantern 42").status_code == 302
    for path in ("/staff/", "/staff/articles/", "/staff/events/"):
        response = fresh.get(path)
        assert response.status_code == 302
        assert response.headers["Location"] == "/staff/account/password"
    page = fresh.get("/staff/account/password").get_data(as_text=True)
    assert "You signed in with a temporary password" in page
    assert change_password(fresh, "temporary lantern 42", NEW).status_code == 302
    assert fresh.get("/staff/articles/").status_code == 200


def test_a_temporary_password_follows_the_rules_and_not_for_yourself(app):
    admin, admin_id = signed_in_client(app, "admin")
    _, user_id = signed_in_client(app, "staff")
    response = set_temporary(admin, user_id, "letmein12345")
    assert response.status_code == 200
    assert "one of the most common" in response.get_data(as_text=True)
    response = set_temporary(admin, admin_id, "temporary lantern 42")
    assert response.headers["Location"] == "/staff/account/password"
    page = admin.get("/staff/account/password").get_data(as_text=True)
    assert "Change your own password on your account page." in page
    assert sign_in(app.test_client(), email_of(app, admin_id), PASSWORD).status_code == 302


def test_new_accounts_may_not_get_a_common_password(app):
    admin, _ = signed_in_client(app, "admin")
    data = {
        "email": "new@example.com",
        "role": "staff",
        "password": "iloveyou2024",
        "confirm": "iloveyou2024",
        "csrf_token": form_token(admin, "/staff/users/new"),
    }
    response = admin.post("/staff/users/new", data=data)
    assert response.status_code == 200
    assert "one of the most common" in response.get_data(as_text=True)


def test_the_shipped_list_is_a_few_hundred_of_our_own_entries():
    assert 300 <= len(common_passwords()) < 2000
    assert {"password", "qwerty", "letmein", "winter2026", "1q2w3e4r"} <= common_passwords()
    assert password_problem("a sentence nobody would guess") is None
