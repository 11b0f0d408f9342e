"""Production behaviour: request logs and ids, the database-outage page, and the app served by
gunicorn with gunicorn.conf.py (the public page cache: tests/test_page_cache.py)."""

import json
import os
import re
import runpy
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from app.config import ROOT
from app.extensions import db
from app.models import OutboxMessage
from tests.support.database import make_app
from tests.support.factories import create_event
from tests.support.forms import csrf_token_from
from tests.support.logs import json_lines, request_lines
from tests.support.ports import free_port

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


def test_nginx_lets_go_of_an_idle_connection_to_gunicorn_before_gunicorn_does():
    """Else a request nginx sends on a connection gunicorn is just closing gets a 502, and a
    POST is not retried on the other host."""
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    upstream = re.search(r"upstream northlight \{(.*?)\}", site, re.S).group(1)
    nginx_idle = int(re.search(r"keepalive_timeout (\d+)s;", upstream).group(1))
    assert nginx_idle < runpy.run_path(str(ROOT / "gunicorn.conf.py"))["keepalive"]
