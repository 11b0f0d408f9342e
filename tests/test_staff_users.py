"""Staff accounts: the `users create` command, the admin pages, and the audit log page."""

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from app.extensions import db
from app.models import AuditEntry, User
from tests.support.forms import form_token
from tests.support.staff import PASSWORD, sign_in, signed_in_client


def user_by_email(app, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


def test_users_create_reads_the_password_from_stdin(app, runner, client):
    result = runner.invoke(
        args=["users", "create", "Ops@Example.com", "--role", "admin", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created admin account ops@example.com." in result.output
    user = user_by_email(app, "ops@example.com")
    assert user.role == "admin" and user.active
    assert user.password_hash.startswith("scrypt:")
    assert check_password_hash(user.password_hash, "a long enough password")
    assert sign_in(client, "ops@example.com", "a long enough password").status_code == 302


def test_users_create_prompts_without_stdin_flag(app, runner):
    result = runner.invoke(
        args=["users", "create", "ed@example.com", "--role", "marketing"],
        input="prompted password 1\nprompted password 1\n",
    )
    assert result.exit_code == 0, result.output
    assert user_by_email(app, "ed@example.com").role == "marketing"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["short@example.com", "--role", "staff"], "too short\n", "at least 12 characters"),
        (["not-an-email", "--role", "staff"], "long enough password\n", "not valid"),
        (["x@example.com", "--role", "owner"], "long enough password\n", "Invalid value"),
    ],
)
def test_users_create_refuses_bad_input(app, runner, args, stdin, message):
    result = runner.invoke(args=["users", "create", *args, "--password-stdin"], input=stdin)
    assert result.exit_code != 0
    assert message in result.output
    with app.app_context():
        assert db.session.scalar(select(User.id)) is None


def test_users_create_refuses_a_second_account_for_the_same_address(app, runner):
    args = ["users", "create", "twice@example.com", "--role", "staff", "--password-stdin"]
    assert runner.invoke(args=args, input="long enough password\n").exit_code == 0
    result = runner.invoke(args=args, input="long enough password\n")
    assert result.exit_code != 0
    assert "There is already an account for twice@example.com." in result.output


@pytest.fixture
def admin(app):
    client, user_id = signed_in_client(app, "admin")
    client.user_id = user_id
    return client


def test_admin_creates_an_account_that_can_sign_in(app, admin):
    url = "/staff/users/new"
    data = {
        "email": "new@example.com",
        "role": "marketing",
        "password": "brand new password",
        "confirm": "brand new password",
        "csrf_token": form_token(admin, url),
    }
    response = admin.post(url, data=data)
    assert response.headers["Location"] == "/staff/users/"
    assert "new@example.com" in admin.get("/staff/users/").get_data(as_text=True)
    other = app.test_client()
    assert sign_in(other, "new@example.com", "brand new password").status_code == 302
    assert other.get("/staff/articles/").status_code == 200


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password": "short", "confirm": "short"}, "at least 12 characters"),
        ({"confirm": "something else entirely"}, "The passwords do not match."),
        ({"email": "nope"}, "Invalid email address."),
        ({"role": "owner"}, "Not a valid choice"),
    ],
)
def test_admin_account_form_checks_its_input(app, admin, changes, message):
    url = "/staff/users/new"
    data = {
        "email": "x@example.com",
        "role": "staff",
        "password": "long enough password",
        "confirm": "long enough password",
        **changes,
        "csrf_token": form_token(admin, url),
    }
    response = admin.post(url, data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert user_by_email(app, "x@example.com") is None


def test_admin_changes_a_role_and_deactivates_an_account(app, admin):
    other, other_id = signed_in_client(app, "staff")
    url = f"/staff/users/{other_id}"
    data = {"role": "marketing", "active": "y", "csrf_token": form_token(admin, url)}
    assert admin.post(url, data=data).headers["Location"] == "/staff/users/"
    assert other.get("/staff/articles/").status_code == 200

    data = {"role": "marketing", "csrf_token": form_token(admin, url)}  # box unticked
    admin.post(url, data=data)
    response = other.get("/staff/")
    assert response.headers["Location"] == "/staff/login"
    # A deactivated account cannot sign in again either.
    assert sign_in(other, user_by_email_id(app, other_id), PASSWORD).status_code == 200
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions == ["user.update", "user.update"]
        last = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert last.changes == {"active": {"before": True, "after": False}}


def user_by_email_id(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).email


def test_admin_cannot_lock_themselves_out(app, admin):
    url = f"/staff/users/{admin.user_id}"
    data = {"role": "staff", "active": "y", "csrf_token": form_token(admin, url)}
    response = admin.post(url, data=data)
    assert response.status_code == 200
    assert "You cannot change your own role or deactivate yourself." in response.get_data(
        as_text=True
    )
    assert admin.get("/staff/users/").status_code == 200


def test_audit_page_shows_who_changed_what(app, admin):
    url = "/staff/tags/new"
    admin.post(url, data={"name": "Quantum", "slug": "", "csrf_token": form_token(admin, url)})
    url = "/staff/tags/quantum/edit"
    admin.post(url, data={"name": "Quantum computing", "csrf_token": form_token(admin, url)})
    html = admin.get("/staff/audit").get_data(as_text=True)
    assert "Created tag “Quantum”" in html
    assert "Updated tag “Quantum computing”" in html
    assert "<del>Quantum</del> → <ins>Quantum computing</ins>" in html
    assert user_by_email_id(app, admin.user_id) in html
