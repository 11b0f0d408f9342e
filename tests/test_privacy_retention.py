"""The retention purge: what the privacy notice promises happens, by command and by itself."""

import csv
import io
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from app import create_app
from app.db import utcnow
from app.extensions import db
from app.models import AuditEntry, Event, OutboxMessage, Registration, ScheduledJob
from app.staff.services import audit
from tests.support.factories import make_event
from tests.support.forms import register
from tests.support.settings import FORM_SETTINGS, TEST_SETTINGS
from tests.support.staff import signed_in_client

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app_settings():
    return dict(FORM_SETTINGS)


def signed_up_event(app, client, *, emails=("ada@example.com", "bob@example.com")):
    """An upcoming event with people signed up through the form; (slug, tokens)."""
    slug = make_event(app, kind="field_trip", title="Glacier Walk")
    tokens = [
        register(client, slug, email=email, dietary="coeliac", accessibility="wheelchair")
        for email in emails
    ]
    with app.app_context():
        registration = db.session.scalar(select(Registration))
        audit.record("registration.check_in", registration, f"Checked in {registration.name}")
        db.session.commit()
    return slug, tokens


def move_event_into_the_past(app, slug: str, days: int) -> None:
    with app.app_context():
        ends_at = utcnow() - timedelta(days=days)
        db.session.execute(
            update(Event)
            .where(Event.slug == slug)
            .values(starts_at=ends_at - timedelta(hours=8), ends_at=ends_at)
        )
        # The confirmation emails were sent then, too.
        db.session.execute(
            update(OutboxMessage).values(status="sent", sent_at=ends_at - timedelta(days=1))
        )
        db.session.commit()


def export(app, slug: str) -> list[dict]:
    staff, _ = signed_in_client(app, "staff")
    body = staff.get(f"/staff/events/{slug}/attendees.csv").get_data()
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def stored_text(app) -> str:
    """Every registration, outbox and audit value, as one string to search."""
    with app.app_context():
        rows = [
            *db.session.execute(select(Registration.__table__)).all(),
            *db.session.execute(select(OutboxMessage.__table__)).all(),
            *db.session.execute(select(AuditEntry.__table__)).all(),
        ]
    return repr(rows)


def test_400_days_after_the_event_everything_personal_is_gone(app, client, runner):
    slug, tokens = signed_up_event(app, client)
    assert client.get(f"/registrations/{tokens[0]}").status_code == 200
    move_event_into_the_past(app, slug, 400)

    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "registrations_anonymised: 2" in result.output
    assert "sensitive_notes_cleared: 0" in result.output  # erased with the rest
    assert "outbox_messages_cleared: 0" in result.output  # already cleared by the erase

    for token in tokens:
        page = client.get(f"/registrations/{token}")
        assert page.status_code == 404
        assert "Ada" not in page.get_data(as_text=True)
    rows = export(app, slug)
    assert len(rows) == 2  # the counts are kept
    for row in rows:
        for column in ("name", "email", "company", "job_title", "dietary", "accessibility"):
            assert row[column] == ""
        assert row["status"] == "confirmed"
        assert row["registered_at"]
    stored = stored_text(app)
    for personal in ("Ada", "ada@example.com", "bob@example.com", "coeliac", "wheelchair"):
        assert personal not in stored
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry))
        assert entry.action == "registration.check_in"

    again = runner.invoke(args=["privacy", "purge"])
    assert "registrations_anonymised: 0" in again.output


def test_40_days_after_the_event_only_the_notes_are_gone(app, client, runner):
    slug, tokens = signed_up_event(app, client)
    move_event_into_the_past(app, slug, 40)
    result = runner.invoke(args=["privacy", "purge"])
    assert "registrations_anonymised: 0" in result.output
    assert "sensitive_notes_cleared: 2" in result.output
    page = client.get(f"/registrations/{tokens[0]}").get_data(as_text=True)
    assert "Ada Lovelace" in page
    assert "coeliac" not in page and "wheelchair" not in page
    rows = export(app, slug)
    assert [row["email"] for row in rows] == ["ada@example.com", "bob@example.com"]
    assert {row["dietary"] + row["accessibility"] for row in rows} == {""}
    stored = stored_text(app)
    assert "coeliac" not in stored and "wheelchair" not in stored
    assert "sensitive_notes_cleared: 0" in runner.invoke(args=["privacy", "purge"]).output


def test_an_event_that_has_not_ended_is_never_touched(app, client, runner):
    slug, tokens = signed_up_event(app, client)
    before = stored_text(app)
    result = runner.invoke(args=["privacy", "purge"])
    assert "registrations_anonymised: 0" in result.output
    assert "sensitive_notes_cleared: 0" in result.output
    assert stored_text(app) == before
    assert "coeliac" in client.get(f"/registrations/{tokens[0]}").get_data(as_text=True)


def test_a_dry_run_counts_and_changes_nothing(app, client, runner):
    slug, tokens = signed_up_event(app, client)
    move_event_into_the_past(app, slug, 400)
    before = stored_text(app)
    result = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Dry run" in result.output
    assert "registrations_anonymised: 2" in result.output
    assert stored_text(app) == before
    assert client.get(f"/registrations/{tokens[0]}").status_code == 200


def test_old_sent_messages_lose_body_and_address(app, client, runner):
    slug, _ = signed_up_event(app, client)
    with app.app_context():
        db.session.execute(
            update(OutboxMessage).values(status="sent", sent_at=utcnow() - timedelta(days=91))
        )
        db.session.commit()
    result = runner.invoke(args=["privacy", "purge"])
    assert "outbox_messages_cleared: 2" in result.output
    with app.app_context():
        messages = db.session.scalars(select(OutboxMessage)).all()
        assert {(m.to_address, m.body_text) for m in messages} == {("", "")}
        assert all(m.subject for m in messages)  # what was sent stays visible to staff


@pytest.mark.parametrize("app_settings", [{**FORM_SETTINGS, "RETENTION_DAYS": 100}])
def test_the_settings_decide_the_periods(app, client, runner):
    slug, _ = signed_up_event(app, client)
    move_event_into_the_past(app, slug, 101)
    assert "registrations_anonymised: 2" in runner.invoke(args=["privacy", "purge"]).output


def test_the_purge_runs_by_itself_in_the_mail_worker(app, client, database_url):
    """No command, no cron: a running `outbox deliver --loop` purges when the job is due."""
    slug, tokens = signed_up_event(app, client)
    move_event_into_the_past(app, slug, 400)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SETTINGS["SECRET_KEY"],
        "SITE_URL": TEST_SETTINGS["SITE_URL"],
        "MAIL_SERVER": "",
        "MAIL_DELIVERY": "worker",
        "PRIVACY_PURGE_INTERVAL_SECONDS": "1",
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "deliver", "--loop"]
    worker = subprocess.Popen(
        [*command, "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while client.get(f"/registrations/{tokens[0]}").status_code != 404:
            assert time.monotonic() < deadline, "the worker never purged"
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    assert worker.returncode == 0, output
    assert [row["name"] for row in export(app, slug)] == ["", ""]
    with app.app_context():
        job = db.session.get(ScheduledJob, "privacy-purge")
        assert job.runs >= 1
        assert "registrations anonymised: 2" in job.last_result or job.runs > 1


def test_the_privacy_notice_states_the_periods_set_in_the_environment(database_url, monkeypatch):
    monkeypatch.setenv("RETENTION_DAYS", "200")
    monkeypatch.setenv("SENSITIVE_RETENTION_DAYS", "12")
    monkeypatch.setenv("OUTBOX_RETENTION_DAYS", "45")
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": database_url})
    page = app.test_client().get("/privacy").get_data(as_text=True)
    assert "kept for 200 days after the event ends" in page
    assert "deleted 12 days after it ends" in page
    assert "deleted 45 days after it was sent" in page
    assert "365" not in page and "12 months" not in page
    with app.app_context():
        db.engine.dispose()
