"""Who gets into the staff area: sign-in, sign-out, rate limits, and the role of every route."""

import io

import pytest
from flask import url_for

from app.extensions import db
from app.media.library import Upload, add_media, check_upload
from app.models import OutboxMessage, StaffMessage
from tests.support.factories import (
    create_article,
    create_author,
    create_event,
    create_session,
    create_tag,
)
from tests.support.forms import csrf_token_from
from tests.support.images import png
from tests.support.questions import create_question
from tests.support.staff import PASSWORD, create_registration, create_user, sign_in

# The least role each staff route needs. Every route of the blueprint must be listed here:
# a new route that is missing fails test_every_staff_route_is_in_the_matrix.
REQUIRED_ROLE = {
    "staff.dashboard": "staff",
    "staff.logout": "staff",
    "staff.events": "staff",
    "staff.attendees": "staff",
    "staff.attendee_cancel": "staff",
    "staff.attendee_promote": "staff",
    "staff.attendee_approve": "staff",
    "staff.attendee_decline": "staff",
    "staff.attendees_decide": "staff",
    "staff.attendee_answers": "staff",
    "staff.questions": "staff",
    "staff.question_add": "marketing",
    "staff.question_edit": "marketing",
    "staff.question_move": "marketing",
    "staff.question_retire": "marketing",
    "staff.attendee_check_in": "staff",
    "staff.event_attendees_csv": "staff",
    "staff.event_attendees_xlsx": "staff",
    "staff.all_attendees_csv": "staff",
    "staff.all_attendees_xlsx": "staff",
    "staff.outbox": "staff",
    "staff.outbox_message": "staff",
    "staff.outbox_retry": "staff",
    "staff.outbox_resend": "staff",
    "staff.event_messages": "staff",
    "staff.announcements": "marketing",
    "staff.event_message_resend": "staff",
    "staff.articles": "marketing",
    "staff.article_new": "marketing",
    "staff.article_edit": "marketing",
    "staff.event_new": "marketing",
    "staff.event_edit": "marketing",
    "staff.authors": "marketing",
    "staff.author_new": "marketing",
    "staff.author_edit": "marketing",
    "staff.tags": "marketing",
    "staff.tag_new": "marketing",
    "staff.tag_edit": "marketing",
    "staff.sessions": "marketing",
    "staff.session_edit": "marketing",
    "staff.session_remove": "marketing",
    "staff.sessions_copy_day": "marketing",
    "staff.sessions_send_changes": "marketing",
    "staff.media": "staff",
    "staff.media_item": "staff",
    "staff.media_replace": "marketing",
    "staff.media_delete": "marketing",
    "staff.audit": "admin",
    "staff.users": "admin",
    "staff.user_new": "admin",
    "staff.user_edit": "admin",
    "staff.user_password": "admin",
    "staff.account_password": "staff",
    "staff.account_two_factor": "staff",
    "staff.privacy_requests": "admin",
    "staff.privacy_export": "admin",
    "staff.privacy_erase": "admin",
}
OPEN = {"staff.login", "staff.login_code"}
RANK = {None: -1, "staff": 0, "marketing": 1, "admin": 2}


def staff_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("staff.")]


def test_every_staff_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in staff_rules(app)}
    assert endpoints == set(REQUIRED_ROLE) | OPEN
    for endpoint, role in REQUIRED_ROLE.items():
        assert app.view_functions[endpoint].required_role == role, endpoint


@pytest.fixture
def targets(app):
    """One of everything a staff URL can point at."""
    with app.app_context():
        event = create_event(slug="matrix-event", capacity=1)
        create_registration(event, "confirmed")
        waiting = create_registration(event, "waitlisted")
        session = create_session(event)
        question = create_question(event, "Matrix question")
        article = create_article(slug="matrix-article", author=create_author(slug="matrix-author"))
        create_tag("Matrix")
        victim = create_user("staff", email="victim@northlight.test")
        # In use, so the delete route answers with its refusal and the image stays for the rest.
        (picture,) = add_media(
            [check_upload(Upload("matrix.png", io.BytesIO(png())))], {"alt": "A"}
        )
        article.image_id = picture.id
        message = OutboxMessage(
            kind="confirmation",
            to_address="someone@example.com",
            subject="Hello",
            body_text="Hi",
            message_id="<matrix@northlight.test>",
            status="failed",
        )
        db.session.add(message)
        db.session.flush()
        # A staff message with the same id, for /staff/events/<slug>/messages/<id>/resend.
        db.session.add(
            StaffMessage(
                id=message.id, event_id=event.id, audience="confirmed", subject="Hi",
                body_md="Hi", body_html="<p>Hi</p>", recipients=1,
            )
        )  # fmt: skip
        db.session.commit()
        return {
            "/staff/events/": event.slug,
            "/staff/articles/": article.slug,
            "/staff/authors/": "matrix-author",
            "/staff/tags/": "matrix",
            "registration_id": waiting.id,
            "message_id": message.id,
            "user_id": victim.id,
            "session_id": session.id,
            "media_id": picture.id,
            "question_id": question.id,
            "direction": "down",
            "action": "retire",
        }


def build_url(app, rule, targets) -> str:
    values = {}
    for name in rule.arguments:
        if name == "slug":
            prefix = next(p for p in targets if p.startswith("/") and rule.rule.startswith(p))
            values[name] = targets[prefix]
        else:
            values[name] = targets[name]
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


@pytest.mark.parametrize("role", [None, "staff", "marketing", "admin"])
def test_every_staff_route_answers_each_role_as_it_should(app, targets, role):
    client = app.test_client()
    if role is not None:
        with app.app_context():
            email = create_user(role).email
            db.session.commit()
        assert sign_in(client, email).status_code == 302
        token = csrf_token_from(client.get("/staff/").get_data(as_text=True))
    else:
        token = csrf_token_from(client.get("/staff/login").get_data(as_text=True))

    problems = []
    # Sign-out last: it ends the session the other requests need.
    rules = sorted(staff_rules(app), key=lambda rule: rule.endpoint == "staff.logout")
    for rule in rules:
        if rule.endpoint in OPEN:
            continue
        url = build_url(app, rule, targets)
        method = "GET" if "GET" in rule.methods else "POST"
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token})
        body = response.get_data().decode("utf-8", "replace")  # read to the end (streams)
        response.close()
        allowed = RANK[role] >= RANK[REQUIRED_ROLE[rule.endpoint]]
        location = response.headers.get("Location", "")
        if role is None:
            ok = response.status_code == 302 and location.startswith("/staff/login?next=")
        elif not allowed:
            ok = response.status_code == 403 and "Not allowed" in body
        elif method == "GET":
            ok = response.status_code == 200
        else:
            ok = response.status_code in (200, 302) and "/staff/login" not in location
            ok = ok or (rule.endpoint == "staff.logout" and location == "/staff/login")
        if not ok:
            problems.append(f"{method} {url}: {response.status_code} {location}")
    assert not problems, f"as {role}:\n" + "\n".join(problems)


def test_anonymous_visitor_is_sent_to_sign_in_and_back(app, client):
    with app.app_context():
        email = create_user("staff").email
        db.session.commit()
    response = client.get("/staff/events/?page=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/login?next=/staff/events/?page%3D1"
    response = sign_in(client, email, next_url="/staff/events/%3Fpage%3D1")
    assert response.headers["Location"] == "/staff/events/?page=1"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/staff/",
        "/\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "staff/",
    ],
)
def test_next_only_accepts_local_paths(app, client, target):
    with app.app_context():
        email = create_user("staff").email
        db.session.commit()
    page = client.get("/staff/login", query_string={"next": target})
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post(
        "/staff/login",
        query_string={"next": target},
        data={"email": email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"


def test_wrong_password_and_unknown_address_get_the_same_message(app, client):
    with app.app_context():
        create_user("staff", email="real@northlight.test")
        create_user("admin", email="gone@northlight.test", active=False)
        db.session.commit()
    pages = [
        sign_in(client, "real@northlight.test", "not the password at all"),
        sign_in(client, "nobody@northlight.test", PASSWORD),
        sign_in(client, "gone@northlight.test", PASSWORD),
    ]
    for page in pages:
        assert page.status_code == 200
        assert "That email and password do not match an active account." in page.get_data(
            as_text=True
        )
    assert client.get("/staff/").status_code == 302


def test_sign_in_is_case_insensitive_and_sign_out_ends_the_session(app, client):
    with app.app_context():
        create_user("staff", email="case@northlight.test")
        db.session.commit()
    assert sign_in(client, "Case@Northlight.TEST").headers["Location"] == "/staff/"
    page = client.get("/staff/")
    assert page.status_code == 200
    assert "case@northlight.test" in page.get_data(as_text=True)
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post("/staff/logout", data={"csrf_token": token})
    assert response.headers["Location"] == "/staff/login"
    assert client.get("/staff/").status_code == 302


def test_sign_out_needs_the_csrf_token(app, client):
    with app.app_context():
        email = create_user("staff").email
        db.session.commit()
    sign_in(client, email)
    assert client.post("/staff/logout").status_code == 400
    assert client.get("/staff/").status_code == 200


def test_account_deactivated_while_signed_in_is_signed_out(app, client):
    with app.app_context():
        user = create_user("marketing")
        db.session.commit()
        user_id, email = user.id, user.email
    sign_in(client, email)
    assert client.get("/staff/").status_code == 200
    with app.app_context():
        db.session.get(type(user), user_id).active = False
        db.session.commit()
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/login"
    assert "deactivated" in client.get("/staff/login").get_data(as_text=True)


def test_session_cookie_is_http_only_and_lax(app, client):
    with app.app_context():
        email = create_user("staff").email
        db.session.commit()
    response = sign_in(client, email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


class TestRateLimits:
    @pytest.fixture
    def app_settings(self):
        return {"RATELIMIT_ENABLED": True}

    def test_sign_in_attempts_are_limited_per_address(self, app, client):
        token = csrf_token_from(client.get("/staff/login").get_data(as_text=True))
        codes = [
            client.post(
                "/staff/login",
                data={"email": f"guess{n}@example.com", "password": "x" * 12, "csrf_token": token},
            ).status_code
            for n in range(6)
        ]
        assert codes == [200] * 5 + [429]

    def test_failed_attempts_are_limited_per_account_from_any_address(self, app):
        with app.app_context():
            email = create_user("admin").email
            db.session.commit()
        codes = []
        for n in range(11):
            client = app.test_client()
            address = {"REMOTE_ADDR": f"10.0.0.{n + 1}"}
            page = client.get("/staff/login", environ_base=address)
            token = csrf_token_from(page.get_data(as_text=True))
            response = client.post(
                "/staff/login",
                data={"email": email, "password": "wrong password!", "csrf_token": token},
                environ_base=address,
            )
            codes.append(response.status_code)
        assert codes == [200] * 10 + [429]
        # The right password does not get past the limit either, until it expires.
        client = app.test_client()
        page = client.get("/staff/login", environ_base={"REMOTE_ADDR": "10.0.1.1"})
        response = client.post(
            "/staff/login",
            data={
                "email": email,
                "password": PASSWORD,
                "csrf_token": csrf_token_from(page.get_data(as_text=True)),
            },
            environ_base={"REMOTE_ADDR": "10.0.1.1"},
        )
        assert response.status_code == 429

    def test_successful_sign_ins_do_not_use_up_the_account_limit(self, app):
        with app.app_context():
            email = create_user("staff").email
            db.session.commit()
        for n in range(12):
            client = app.test_client()
            address = {"REMOTE_ADDR": f"10.0.2.{n + 1}"}
            page = client.get("/staff/login", environ_base=address)
            response = client.post(
                "/staff/login",
                data={
                    "email": email,
                    "password": PASSWORD,
                    "csrf_token": csrf_token_from(page.get_data(as_text=True)),
                },
                environ_base=address,
            )
            assert response.status_code == 302


def test_signed_in_user_visiting_sign_in_goes_to_the_overview(app, client):
    with app.app_context():
        email = create_user("staff").email
        db.session.commit()
    sign_in(client, email)
    response = client.get("/staff/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"
