"""Scheduled work without cron: a due job runs exactly once however many processes look."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app import create_app
from app.db import utcnow
from app.extensions import db
from app.models import ScheduledJob
from app.outbox.schedule import register_job, run_due_jobs, seconds_until_next_job
from tests.support.settings import TEST_SETTINGS


@pytest.fixture
def app_settings():
    # Only this module's jobs: the privacy purge (registered by create_app) stays off.
    return {"PRIVACY_PURGE_INTERVAL_SECONDS": 0}


def counting_job(app, runs: list, interval: float = 3600.0):
    def run() -> str:
        runs.append(threading.get_ident())
        return "counted"

    register_job(app, "count", lambda app: interval, run)


def test_a_due_job_runs_once_among_several_processes(app, database_url):
    # Four apps stand in for four processes: separate engines and connection pools.
    runs: list = []
    apps = [app] + [
        create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": database_url}) for _ in range(3)
    ]
    for each in apps:
        counting_job(each, runs)
    barrier = threading.Barrier(len(apps))

    def look(process):
        with process.app_context():
            barrier.wait()
            for _ in range(3):
                run_due_jobs()

    threads = [threading.Thread(target=look, args=(each,)) for each in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(runs) == 1
    with apps[0].app_context():
        job = db.session.get(ScheduledJob, "count")
        assert job.runs == 1
        assert job.last_result == "counted"
        assert job.next_run_at > utcnow() + timedelta(minutes=59)
    for other in apps[1:]:  # after the contexts end, so no pooled connection is left behind
        with other.app_context():
            db.engine.dispose()


def test_a_run_missed_during_downtime_happens_late_not_never(app):
    runs: list = []
    counting_job(app, runs)
    with app.app_context():
        assert run_due_jobs() == ["count"]
        assert run_due_jobs() == []  # not due again for an hour
        # Everything was down past the job's time: the next look runs it once.
        db.session.execute(update(ScheduledJob).values(next_run_at=utcnow() - timedelta(days=3)))
        db.session.commit()
        assert run_due_jobs() == ["count"]
        assert run_due_jobs() == []
    assert len(runs) == 2


def test_a_failing_job_is_logged_and_runs_again_at_its_next_time(app, caplog):
    def broken() -> str:
        raise RuntimeError("boom")

    register_job(app, "broken", lambda app: 0.0, broken)
    with app.app_context():
        assert run_due_jobs() == ["broken"]
        job = db.session.scalar(select(ScheduledJob).where(ScheduledJob.name == "broken"))
        assert job.last_result == "failed"
        assert run_due_jobs() == ["broken"]  # interval 0: due again at once
    assert "scheduled job broken failed" in caplog.text


def test_a_sleeping_sender_wakes_in_time_for_the_next_job(app):
    runs: list = []
    counting_job(app, runs, interval=30.0)
    with app.app_context():
        assert seconds_until_next_job(60.0) == 0.0  # never run: due now
        run_due_jobs()
        assert 25.0 < seconds_until_next_job(60.0) <= 30.0
        assert seconds_until_next_job(10.0) == 10.0
