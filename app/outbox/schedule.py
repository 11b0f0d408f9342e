"""Scheduled work without cron: jobs that the mail-delivering processes run between sends.

A feature registers a job with `register_job(app, name, interval, run)`; the background
sender (MAIL_DELIVERY=thread) and `flask outbox deliver --loop` call `run_due_jobs()` on
every pass. However many processes or hosts do that, each due run happens exactly once: a
process runs a job only when its conditional UPDATE moved the job's `next_run_at` forward
(one row changed). The claim is committed before the job starts, so a run that crashes is
not repeated at once; the job runs again at its next time, late rather than never after
downtime (a `next_run_at` in the past is simply due).

The module knows nothing of what the jobs do: features (privacy, reminders, ...) register
theirs in create_app.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from app.db import utcnow
from app.extensions import db
from app.models import ScheduledJob

log = logging.getLogger("northlight.schedule")

EXTENSION_KEY = "northlight.scheduled_jobs"


@dataclass(frozen=True)
class Job:
    name: str
    # Seconds between runs, read from the app's config when the job is claimed.
    interval: Callable[[Flask], float]
    # Does the work in the current app context and commits; returns a line for the log.
    run: Callable[[], str]


def register_job(app: Flask, name: str, interval: Callable[[Flask], float], run) -> None:
    """Have the mail-delivering processes run `run()` every `interval(app)` seconds."""
    app.extensions.setdefault(EXTENSION_KEY, {})[name] = Job(name, interval, run)


def registered_jobs(app: Flask) -> list[Job]:
    return list(app.extensions.get(EXTENSION_KEY, {}).values())


def run_due_jobs(now: datetime | None = None) -> list[str]:
    """Run every job that is due and that this process claims; returns the names it ran."""
    ran = []
    for job in registered_jobs(current_app):
        if not claim(job, now or utcnow()):
            continue
        try:
            result = job.run()
        except Exception:
            db.session.rollback()
            log.exception("scheduled job %s failed; it runs again at its next time", job.name)
            result = "failed"
        record_finished(job, result)
        log.info("scheduled job %s: %s", job.name, result)
        ran.append(job.name)
    return ran


def claim(job: Job, now: datetime) -> bool:
    """Move the job's next run forward if it is due; true for the one process that did."""
    interval = timedelta(seconds=job.interval(current_app))
    ensure_row(job, now)
    changed = db.session.execute(
        update(ScheduledJob)
        .where(ScheduledJob.name == job.name, ScheduledJob.next_run_at <= now)
        .values(
            next_run_at=now + interval,
            last_started_at=now,
            runs=ScheduledJob.runs + 1,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return changed == 1


def ensure_row(job: Job, now: datetime) -> None:
    """A job seen for the first time is due at once; a concurrent first insert is harmless."""
    if db.session.get(ScheduledJob, job.name) is not None:
        return
    try:
        db.session.add(ScheduledJob(name=job.name, next_run_at=now, runs=0))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()


def record_finished(job: Job, result: str) -> None:
    db.session.execute(
        update(ScheduledJob)
        .where(ScheduledJob.name == job.name)
        .values(last_finished_at=utcnow(), last_result=result[:2000])
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def seconds_until_next_job(longest: float) -> float:
    """How long a delivering process may sleep before a registered job falls due."""
    names = [job.name for job in registered_jobs(current_app)]
    if not names:
        return longest
    rows = db.session.scalars(
        db.select(ScheduledJob.next_run_at).where(ScheduledJob.name.in_(names))
    ).all()
    db.session.rollback()  # end the read: a sleeping process must hold no transaction
    if len(rows) < len(names):
        return 0.0  # a job never claimed yet is due now
    wait = (min(rows) - utcnow()).total_seconds()
    return max(0.0, min(longest, wait))
