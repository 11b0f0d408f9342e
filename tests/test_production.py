"""Production behaviour: request logs and ids, the database-outage page, the public page cache,
and the app served by gunicorn with gunicorn.conf.py."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import update

from app import create_app
from app.config import ROOT
from app.extensions import db
from app.models import Article, Event, OutboxMessage
from tests.support.factories import create_article, create_event
from tests.support.forms import csrf_token_from
from tests.support.ports import free_port
from tests.support.settings import REDIS_URL, TEST_SETTINGS


def make_app(database_url: str, **settings):
    return create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": database_url, **settings})


def json_lines(text: str) -> list[dict]:
    """The structured log lines in captured stderr (other output is ignored)."""
    lines = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except ValueError:
                continue
    return lines


def request_lines(text: str) -> list[dict]:
    return [line for line in json_lines(text) if line.get("logger") == "northlight.request"]


@pytest.fixture
def content(app):
    """One published article and one open event, by slug."""
    with app.app_context():
        article = create_article(title="Cooling with Fjord Water", slug="cooling")
        event = create_event(title="Exascale Day", slug="exascale-day", capacity=10)
        db.session.commit()
        return {"article": article.slug, "event": event.slug}


# --- request logs and ids ---------------------------------------------------------------


def test_each_request_logs_one_json_line_with_its_id(client, capsys):
    capsys.readouterr()
    response = client.get("/privacy")
    assert response.status_code == 200
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 32
    [line] = request_lines(capsys.readouterr().err)
    assert line["method"] == "GET"
    assert line["path"] == "/privacy"
    assert line["status"] == 200
    assert line["request_id"] == request_id
    assert isinstance(line["duration_ms"], float | int) and line["duration_ms"] >= 0


def test_a_client_cannot_choose_its_request_id_without_a_trusted_proxy(client):
    response = client.get("/privacy", headers={"X-Request-ID": "chosen-by-client"})
    assert response.headers["X-Request-ID"] != "chosen-by-client"


def test_a_trusted_proxy_passes_its_request_id_through(database_url, capsys):
    app = make_app(database_url, TRUSTED_PROXIES=1)
    client = app.test_client()
    response = client.get("/privacy", headers={"X-Request-ID": "nginx-4f2a9c"})
    assert response.headers["X-Request-ID"] == "nginx-4f2a9c"
    assert request_lines(capsys.readouterr().err)[-1]["request_id"] == "nginx-4f2a9c"
    # A value that could forge log lines or flood them is replaced, not trusted.
    response = client.get("/privacy", headers={"X-Request-ID": "a b;c" + "x" * 100})
    assert response.headers["X-Request-ID"] != "a b;c" + "x" * 100
    with app.app_context():
        db.engine.dispose()


def test_an_error_log_carries_the_request_id(database_url, capsys):
    app = make_app(database_url, PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("something broke")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Traceback" not in response.get_data(as_text=True)
    lines = json_lines(capsys.readouterr().err)
    [error] = [line for line in lines if line["level"] == "error"]
    assert error["request_id"] == response.headers["X-Request-ID"]
    assert "RuntimeError: something broke" in error["exception"]
    with app.app_context():
        db.engine.dispose()


def test_outbox_rows_carry_the_request_id_of_the_sign_up(database_url):
    app = make_app(database_url, TRUSTED_PROXIES=1, REGISTRATION_MIN_FILL_SECONDS=0)
    with app.app_context():
        slug = create_event(capacity=5).slug
        db.session.commit()
    client = app.test_client()
    html = client.get(f"/events/{slug}/register").get_data(as_text=True)
    response = client.post(
        f"/events/{slug}/register",
        headers={"X-Request-ID": "nginx-signup-77"},
        data={
            "csrf_token": csrf_token_from(html),
            "rendered": re.search(r'name="rendered"[^>]*value="([^"]*)"', html).group(1),
            "name": "Grace Hopper",
            "email": "grace@example.com",
            "consent": "y",
        },
    )
    assert response.status_code == 303
    assert response.headers["X-Request-ID"] == "nginx-signup-77"
    with app.app_context():
        [message] = db.session.query(OutboxMessage).all()
        assert message.request_id == "nginx-signup-77"
    with app.app_context():
        db.engine.dispose()


# --- the database is unreachable -------------------------------------------------------


def test_an_unreachable_database_gives_a_styled_503_not_a_traceback(capsys):
    # A database file in a directory that cannot exist: every connection attempt fails.
    app = make_app("sqlite:////dev/null/northlight.sqlite")
    client = app.test_client()
    for path in ("/", "/events/", "/blog/some-article"):
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 503, path
        assert "Back in a moment" in html
        assert "Traceback" not in html and "OperationalError" not in html
        assert response.headers["Retry-After"] == "5"
        assert "Content-Security-Policy" in response.headers
    warnings = [line for line in json_lines(capsys.readouterr().err) if line["level"] == "warning"]
    assert any(line["message"] == "database unavailable" for line in warnings)
    assert client.get("/healthz").status_code == 503


# --- the public page cache -------------------------------------------------------------


def test_a_repeat_visit_is_served_from_the_cache_with_the_same_headers(client, content):
    path = f"/events/{content['event']}"
    first = client.get(path)
    second = client.get(path)
    assert first.status_code == second.status_code == 200
    assert "X-Cache" not in first.headers
    assert second.headers["X-Cache"] == "HIT"
    assert second.get_data() == first.get_data()
    per_response = {"date", "x-request-id", "x-cache", "content-length"}
    assert {k: v for k, v in first.headers.items() if k.lower() not in per_response} == {
        k: v for k, v in second.headers.items() if k.lower() not in per_response
    }
    assert "Set-Cookie" not in second.headers
    assert second.headers["X-Request-ID"] != first.headers["X-Request-ID"]
    # The ETag survives the cache, so a browser's revalidation still gets a 304.
    revalidated = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert revalidated.status_code == 304


def test_a_visitor_with_a_session_never_gets_a_cached_page(client, content):
    client.get("/")
    client.get("/")
    client.set_cookie("session", "anything")
    assert "X-Cache" not in client.get("/").headers


def test_only_get_is_served_from_the_cache(client, content):
    client.get("/")
    assert client.get("/").headers.get("X-Cache") == "HIT"
    assert "X-Cache" not in client.head("/").headers
    assert client.post("/").status_code in (400, 405)


@pytest.mark.parametrize("path", ["/healthz", "/no-such-page", "/staff/login"])
def test_health_checks_errors_and_staff_pages_are_never_cached(client, content, path):
    client.get(path)
    assert "X-Cache" not in client.get(path).headers


def test_an_edited_article_shows_at_once(app, client, content):
    path = f"/blog/{content['article']}"
    client.get(path)
    assert client.get(path).headers["X-Cache"] == "HIT"
    with app.app_context():
        article = db.session.query(Article).filter_by(slug=content["article"]).one()
        article.title = "Cooling with Sea Water"
        db.session.commit()
    response = client.get(path)
    assert "X-Cache" not in response.headers
    assert "Cooling with Sea Water" in response.get_data(as_text=True)


def take_seats(app, slug: str, seats: int) -> None:
    """Seats taken the way sign-ups take them: one UPDATE of the counter."""
    with app.app_context():
        db.session.execute(
            update(Event).where(Event.slug == slug).values(seats_taken=Event.seats_taken + seats)
        )
        db.session.commit()


def test_seats_taken_show_at_the_next_generation_check(database_url, content):
    app = make_app(database_url, PAGE_CACHE_CHECK_SECONDS=0)
    client = app.test_client()
    path = f"/events/{content['event']}"
    assert "10 of 10 left" in client.get(path).get_data(as_text=True)
    take_seats(app, content["event"], 3)
    assert "7 of 10 left" in client.get(path).get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()


def test_a_rush_of_seat_changes_waits_for_the_check_but_an_edit_shows_at_once(
    database_url, content
):
    # A check interval longer than any test: only what bypasses it can show.
    app = make_app(database_url, PAGE_CACHE_CHECK_SECONDS=3600)
    client = app.test_client()
    path = f"/events/{content['event']}"
    client.get(path)
    take_seats(app, content["event"], 3)
    cached = client.get(path)
    assert cached.headers["X-Cache"] == "HIT"
    assert "10 of 10 left" in cached.get_data(as_text=True)
    with app.app_context():
        db.session.query(Event).filter_by(slug=content["event"]).one().title = "Exascale Night"
        db.session.commit()
    fresh = client.get(path)
    assert "X-Cache" not in fresh.headers
    html = fresh.get_data(as_text=True)
    assert "Exascale Night" in html and "7 of 10 left" in html
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("store", ["file", "redis"])
def test_a_write_in_another_process_reaches_this_one(database_url, content, store):
    """Two app instances on one database stand for two gunicorn workers."""
    if store == "redis" and not REDIS_URL:
        pytest.skip("needs Redis: set REDIS_URL")
    settings = {"PAGE_CACHE_CHECK_SECONDS": 0}
    if store == "redis":
        settings["RATELIMIT_STORAGE_URI"] = REDIS_URL
    reader = make_app(database_url, **settings)
    writer = make_app(database_url, **settings)
    client = reader.test_client()
    path = f"/blog/{content['article']}"
    client.get(path)
    assert client.get(path).headers["X-Cache"] == "HIT"
    with writer.app_context():
        db.session.query(Article).filter_by(slug=content["article"]).one().title = "Renamed"
        db.session.commit()
    response = client.get(path)
    assert "X-Cache" not in response.headers
    assert "Renamed" in response.get_data(as_text=True)
    for app in (reader, writer):
        with app.app_context():
            db.engine.dispose()


def rendered_stamp(html: str) -> str:
    return re.search(r'name="rendered"[^>]*value="([^"]*)"', html).group(1)


def form_data(html: str, email: str) -> dict:
    return {
        "csrf_token": csrf_token_from(html),
        "rendered": rendered_stamp(html),
        "name": "Ada Lovelace",
        "email": email,
        "consent": "y",
    }


@pytest.fixture
def form_app(database_url):
    app = make_app(database_url, REGISTRATION_MIN_FILL_SECONDS=0, PAGE_CACHE_CHECK_SECONDS=0)
    yield app
    with app.app_context():
        db.engine.dispose()


def test_each_new_visitor_gets_the_kept_form_with_their_own_token_and_stamp(form_app, content):
    path = f"/events/{content['event']}/register"
    first, second = form_app.test_client(), form_app.test_client()
    one, two = first.get(path), second.get(path)
    assert "X-Cache" not in one.headers
    assert two.headers["X-Cache"] == "HIT"
    html_one, html_two = one.get_data(as_text=True), two.get_data(as_text=True)
    assert csrf_token_from(html_one) != csrf_token_from(html_two)
    assert rendered_stamp(html_one) != rendered_stamp(html_two)
    for response in (one, two):
        assert "session=" in response.headers["Set-Cookie"]
        assert "private" in response.headers["Cache-Control"]
        assert "Content-Security-Policy" in response.headers

    def without_tokens(html: str) -> str:
        return html.replace(csrf_token_from(html), "T").replace(rendered_stamp(html), "S")

    assert without_tokens(html_one) == without_tokens(html_two)
    # The kept copy is what the view renders now for anyone (were the view to add another
    # per-visitor value, this would fail: the form cache would have to learn to renew it).
    rendered = form_app.test_client()
    rendered.set_cookie("session", "not-a-valid-session")
    fresh = rendered.get(path)
    assert "X-Cache" not in fresh.headers
    assert without_tokens(fresh.get_data(as_text=True)) == without_tokens(html_two)
    # A token works only with the session it was made for.
    stolen = first.post(path, data=form_data(html_two, "mallory@example.com"))
    assert stolen.status_code == 400
    assert second.post(path, data=form_data(html_two, "ada@example.com")).status_code == 303
    retry = first.get(path)
    assert "X-Cache" not in retry.headers  # a visitor with a session gets the view
    again = form_data(retry.get_data(as_text=True), "b@example.com")
    assert first.post(path, data=again).status_code == 303


def test_the_kept_form_shows_the_seats_left_after_a_sign_up(form_app, content):
    path = f"/events/{content['event']}/register"
    html = form_app.test_client().get(path).get_data(as_text=True)
    assert "10 of 10 seats left." in html
    visitor = form_app.test_client()
    form = visitor.get(path)
    assert form.headers["X-Cache"] == "HIT"
    data = form_data(form.get_data(as_text=True), "grace@example.com")
    assert visitor.post(path, data=data).status_code == 303
    assert "9 of 10 seats left." in form_app.test_client().get(path).get_data(as_text=True)


def test_the_cache_can_be_turned_off(database_url, content):
    app = make_app(database_url, PAGE_CACHE_SECONDS=0)
    client = app.test_client()
    client.get("/")
    assert "X-Cache" not in client.get("/").headers
    with app.app_context():
        db.engine.dispose()


# --- gunicorn with gunicorn.conf.py ------------------------------------------------------


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited early:\n{process.stderr.read()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not start listening")


@pytest.fixture
def sqlite_copy(tmp_path, sqlite_template) -> str:
    path = tmp_path / "served.sqlite"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def test_gunicorn_serves_the_app_with_its_config_and_stops_gracefully(sqlite_copy, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "FLASK_ENV": "production",
        "SECRET_KEY": "x" * 64,
        "DATABASE_URL": sqlite_copy,
        "MAIL_DELIVERY": "worker",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port(port, process)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
            assert json.load(response) == {"status": "ok", "database": "ok"}
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/privacy", timeout=10) as response:
            assert response.status == 200
            request_id = response.headers["X-Request-ID"]
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=40)
    assert process.returncode == 0, stderr
    assert "Using worker: gthread" in stderr
    [line] = [line for line in request_lines(stderr) if line["path"] == "/privacy"]
    assert line["request_id"] == request_id and line["status"] == 200
