"""On SQLite, writers wait for each other in a queue (app/db.py queue_writers): a file lock
beside the database, taken when a write transaction begins and let go when it ends, however it
ends. A place kept after its transaction would stop every later sign-up, so each way a
transaction ends is checked here; these run on SQLite whatever TEST_DATABASE_URL says."""

import contextlib
import fcntl
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.db import sqlite_immediate
from app.extensions import db
from app.models import Event, Registration
from tests.support.database import make_app
from tests.support.factories import create_event, make_event
from tests.support.forms import open_form, submit
from tests.support.settings import FORM_SETTINGS

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def sqlite_path(tmp_path, sqlite_template):
    path = tmp_path / "writers.sqlite"
    shutil.copy(sqlite_template, path)
    return path


@pytest.fixture
def app(sqlite_path):
    app = make_app(f"sqlite:///{sqlite_path}", **FORM_SETTINGS)
    yield app
    with app.app_context():
        db.engine.dispose()


def queue_is_free(sqlite_path) -> bool:
    """Whether another writer could take the queue now (without waiting for it)."""
    descriptor = os.open(f"{sqlite_path}-writers", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(descriptor)  # lets go of it too, if it was taken
    return True


def test_a_write_holds_the_queue_until_its_commit(app, sqlite_path):
    with app.app_context():
        create_event(slug="queued")
        db.session.flush()
        assert not queue_is_free(sqlite_path)
        db.session.commit()
        assert queue_is_free(sqlite_path)
        assert db.session.scalar(select(Event.slug)) == "queued"


def test_a_failed_write_lets_the_queue_go_at_its_rollback(app, sqlite_path):
    make_event(app, slug="taken")
    with app.app_context():
        with pytest.raises(IntegrityError):
            create_event(slug="taken")  # the same slug again: refused by the database
        assert not queue_is_free(sqlite_path)
        db.session.rollback()
        assert queue_is_free(sqlite_path)


def test_a_read_never_takes_the_queue(app, sqlite_path):
    make_event(app, slug="read")
    with app.app_context():
        token = sqlite_immediate.set(False)  # what a GET request does
        try:
            assert db.session.scalar(select(Event.slug)) == "read"
            assert queue_is_free(sqlite_path)
        finally:
            db.session.rollback()
            sqlite_immediate.reset(token)


def test_sign_ups_leave_the_queue_free_whatever_their_outcome(app, sqlite_path):
    slug = make_event(app, capacity=1, waitlist_enabled=False)
    client = app.test_client()
    forms = [open_form(client, slug), open_form(client, slug)]
    invalid = submit(client, slug, forms[0], email="not an address")
    assert invalid.status_code == 422 and "email address" in invalid.get_data(as_text=True)
    assert queue_is_free(sqlite_path)
    assert submit(client, slug, forms[0], email="first@example.com").status_code == 303
    assert queue_is_free(sqlite_path)
    full = submit(client, slug, forms[1], email="second@example.com")  # no seat, no waitlist
    assert full.status_code == 409 and "is full" in full.get_data(as_text=True)
    assert queue_is_free(sqlite_path)
    with app.app_context():
        emails = db.session.scalars(select(Registration.email)).all()
    assert emails == ["first@example.com"]


def test_another_app_on_the_file_waits_its_turn_and_then_signs_up(app, sqlite_path):
    """Another app on the same file, in this process (the next test uses a real second one),
    waits with its sign-up while a write is open and goes on the moment it commits."""
    slug = make_event(app)
    other = make_app(f"sqlite:///{sqlite_path}", **FORM_SETTINGS)
    outcome = {}

    def sign_up():
        outcome["status"] = submit(other.test_client(), slug).status_code

    with app.app_context():
        create_event(slug="long-write")
        db.session.flush()  # a write transaction is open
        waiting = threading.Thread(target=sign_up)
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive(), "the second writer did not wait"
        db.session.commit()
    waiting.join(10)
    assert outcome == {"status": 303}
    assert queue_is_free(sqlite_path)
    with other.app_context():
        assert db.session.scalar(select(Registration.email)) == "ada@example.com"
        db.engine.dispose()


def test_a_writer_in_another_process_waits_for_the_open_write_then_commits(app, sqlite_path):
    """What gunicorn's workers do: another OS process writing the same file waits in the
    queue while this one's write is open, and goes on the moment it commits."""
    script = (
        "import sys; from app import create_app; from app.extensions import db;"
        "from tests.support.factories import create_event;"
        "from tests.support.settings import TEST_SETTINGS;"
        "app = create_app({**TEST_SETTINGS, 'SQLALCHEMY_DATABASE_URI': sys.argv[1]});"
        "ctx = app.app_context(); ctx.push(); create_event(slug='other-process');"
        "db.session.commit(); print('committed')"
    )
    with app.app_context():
        create_event(slug="held-open")
        db.session.flush()  # this process's write is open: it holds the queue
        other = subprocess.Popen(
            [sys.executable, "-c", script, f"sqlite:///{sqlite_path}"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        with contextlib.suppress(subprocess.TimeoutExpired):
            other.wait(3)  # it should still be waiting its turn after this
        assert other.poll() is None, other.communicate()
        db.session.commit()
    output, errors = other.communicate(timeout=30)
    assert other.returncode == 0, errors
    assert output.strip() == "committed"
    with app.app_context():
        assert sorted(db.session.scalars(select(Event.slug))) == ["held-open", "other-process"]
