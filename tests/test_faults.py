"""Faults production meets: the mail server away during a rush, PostgreSQL connections killed
or the server restarting under the app, two outbox worker processes racing for one queue.

The PostgreSQL tests use a private database (created here on TEST_DATABASE_URL's server and
dropped afterwards), so killing its connections cannot disturb anyone else's test run.
"""

import asyncio
import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
from collections import Counter

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app import create_app
from app.config import ROOT
from app.extensions import db
from app.models import OutboxMessage, Registration
from app.outbox.queue import enqueue
from tests.support.factories import make_event
from tests.support.forms import submit
from tests.support.settings import POSTGRES_URL, TEST_SETTINGS
from tests.support.smtp import CollectingHandler, SMTPServer


def sign_up(app, slug: str, number: int) -> int:
    """One visitor with their own browser session fills in the form; the response status."""
    response = submit(
        app.test_client(),
        slug,
        name=f"Visitor {number}",
        email=f"visitor{number}@example.com",
        company="",
        job_title="",
    )
    return response.status_code


# --- the mail server is down during a rush -----------------------------------------------


@pytest.fixture
def app_settings(smtp_server):
    return {**smtp_server.settings, "MAIL_DELIVERY": "worker", "REGISTRATION_MIN_FILL_SECONDS": 0}


def test_a_rush_during_a_mail_outage_is_delivered_exactly_once_afterwards(app, runner, smtp_server):
    slug = make_event(app, capacity=100)
    smtp_server.stop()
    statuses = []
    threads = [
        threading.Thread(target=lambda n=n: statuses.append(sign_up(app, slug, n)))
        for n in range(20)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Nobody's registration failed because mail could not go out.
    assert statuses == [303] * 20

    result = runner.invoke(args=["outbox", "deliver"])
    assert result.exit_code == 0, result.output
    assert "0 sent" in result.output

    smtp_server.start()
    result = runner.invoke(args=["outbox", "deliver", "--retry-now"])
    assert result.exit_code == 0, result.output
    # A second pass after everything went out must not send anything again.
    result = runner.invoke(args=["outbox", "deliver", "--retry-now"])
    assert "0 sent" in result.output

    received = smtp_server.messages
    recipients = Counter(str(message["To"]) for message in received)
    assert recipients == Counter(f"visitor{n}@example.com" for n in range(20))
    assert len({message["Message-ID"] for message in received}) == 20
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 20
        assert set(db.session.scalars(select(OutboxMessage.status))) == {"sent"}


# --- PostgreSQL: a private database, killed connections, a restart ------------------------

needs_postgres = pytest.mark.skipif(
    not POSTGRES_URL,
    reason="needs PostgreSQL: set TEST_DATABASE_URL (a private database is created there)",
)


@pytest.fixture(scope="module")
def private_postgres():
    """A migrated PostgreSQL database of our own on TEST_DATABASE_URL's server."""
    if not POSTGRES_URL:
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL")
    server = make_url(POSTGRES_URL)
    name = f"northlight_faults_{os.getpid()}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name)
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def postgres_admin(private_postgres):
    """A connection outside the app's pool, to kill the app's connections with."""
    engine = create_engine(private_postgres, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


@pytest.fixture
def pg_app(private_postgres, postgres_admin):
    """The app on the private database, no page cache (every request must reach PostgreSQL)."""
    apps = []

    def make(url=private_postgres, **settings):
        app = create_app(
            {
                **TEST_SETTINGS,
                "SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False),
                "PAGE_CACHE_SECONDS": 0,
                "PROPAGATE_EXCEPTIONS": False,
                **settings,
            }
        )
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.engine.dispose()
    with postgres_admin.connect() as connection:
        tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def terminate_app_connections(admin) -> int:
    with admin.connect() as connection:
        return len(
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).all()
        )


@needs_postgres
def test_killed_connections_are_replaced_before_the_next_request(pg_app, postgres_admin):
    app = pg_app()
    slug = make_event(app, title="Fjord Cooling Visit")
    client = app.test_client()
    assert client.get(f"/events/{slug}").status_code == 200
    assert terminate_app_connections(postgres_admin) >= 1
    # The pool checks each connection before use (pool_pre_ping): no error reaches anyone.
    response = client.get(f"/events/{slug}")
    assert response.status_code == 200
    assert "Fjord Cooling Visit" in response.get_data(as_text=True)


@needs_postgres
def test_a_connection_killed_mid_request_gets_a_503_page_then_the_app_recovers(
    pg_app, postgres_admin
):
    app = pg_app()
    slug = make_event(app)

    @app.get("/_fault/killed-mid-request")
    def killed_mid_request():
        pid = db.session.scalar(text("SELECT pg_backend_pid()"))
        with postgres_admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        db.session.execute(text("SELECT 1"))
        return "not reached"

    client = app.test_client()
    response = client.get("/_fault/killed-mid-request")
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Back in a moment" in html
    assert "Traceback" not in html and "psycopg" not in html
    assert response.headers["Retry-After"] == "5"
    assert client.get(f"/events/{slug}").status_code == 200


class FlakyLink:
    """A TCP forwarder between the app and PostgreSQL that can be cut and restored:
    from the app's side exactly what a database restart looks like."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.listener: socket.socket | None = None
        self.open_sockets: list[socket.socket] = []
        self.lock = threading.Lock()

    def start(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self.accept, args=(self.listener,), daemon=True).start()

    def accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.open_sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Refuse new connections and drop every open one."""
        self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        with self.lock:
            sockets, self.open_sockets = self.open_sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


@needs_postgres
def test_while_the_database_restarts_requests_get_503_and_afterwards_succeed(
    pg_app, private_postgres
):
    link = FlakyLink(private_postgres.host or "127.0.0.1", private_postgres.port or 5432)
    link.start()
    app = pg_app(private_postgres.set(host="127.0.0.1", port=link.port))
    slug = make_event(app, title="Liquid Cooling Day")
    client = app.test_client()
    try:
        assert client.get(f"/events/{slug}").status_code == 200

        link.cut()
        for path in (f"/events/{slug}", "/", f"/events/{slug}/register"):
            response = client.get(path)
            html = response.get_data(as_text=True)
            assert response.status_code == 503, path
            assert "Back in a moment" in html and "Traceback" not in html
        assert client.get("/healthz").status_code == 503

        link.start()
        response = client.get(f"/events/{slug}")
        assert response.status_code == 200
        assert "Liquid Cooling Day" in response.get_data(as_text=True)
        assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
    finally:
        link.cut()


# --- two outbox workers on one queue -------------------------------------------------------


class UnhurriedHandler(CollectingHandler):
    """A server taking 10 ms per message, so two workers are certainly sending at once."""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        await asyncio.sleep(0.01)
        return await super().handle_DATA(server, session, envelope)


@needs_postgres
def test_two_worker_processes_deliver_200_messages_each_exactly_once(pg_app, private_postgres):
    smtp = SMTPServer()
    smtp.handler = UnhurriedHandler()
    smtp.start()
    try:
        app = pg_app(**smtp.settings)
        with app.app_context():
            for n in range(200):
                enqueue("test", f"reader{n}@example.com", f"Issue {n}", f"Hello reader {n}.")
            db.session.commit()
        env = {
            **os.environ,
            "DATABASE_URL": private_postgres.render_as_string(hide_password=False),
            "SECRET_KEY": "test-secret-key-not-for-production",
            "MAIL_SERVER": smtp.host,
            "MAIL_PORT": str(smtp.port),
            "MAIL_DELIVERY": "worker",
            "PAGE_CACHE_SECONDS": "0",
        }
        flask = os.path.join(os.path.dirname(sys.executable), "flask")
        workers = [
            subprocess.Popen(
                [flask, "--app", "wsgi", "outbox", "deliver"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [worker.communicate(timeout=120) for worker in workers]
        for worker, (_stdout, stderr) in zip(workers, outputs, strict=True):
            assert worker.returncode == 0, stderr
        sent = [int(re.search(r"(\d+) sent", stdout).group(1)) for stdout, _ in outputs]
        print("messages sent by each worker:", sent)
        assert sum(sent) == 200

        received = smtp.messages
        assert len(received) == 200
        assert len({message["Message-ID"] for message in received}) == 200
        assert sorted(str(message["Subject"]) for message in received) == sorted(
            f"Issue {n}" for n in range(200)
        )
        with app.app_context():
            assert set(db.session.scalars(select(OutboxMessage.status))) == {"sent"}
    finally:
        smtp.stop()
