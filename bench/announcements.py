"""Announcements at scale: queue one to 20,000 opted-in people (one INSERT), then deliver it to
a slow SMTP server with several `flask outbox deliver --loop` workers, one of them killed
(SIGKILL) mid-way and replaced, and count what arrived: every message once.

Run on its own (`python bench/announcements.py`, PostgreSQL when DATABASE_URL names a server)
or as part of `make bench` (`bench/run.py --only announce`). Prints a Markdown table.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import BIN, ROOT, Scratch, SMTPServer, base_env, run_flask  # noqa: E402

PEOPLE = 20_000


def log(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


def seed_people(app, people: int) -> None:
    """`people` registrations, each a different person who said yes to news (bulk inserts)."""
    from sqlalchemy import insert

    from app.db import utcnow
    from app.extensions import db
    from app.models import Event, MarketingChoice, Registration

    with app.app_context():
        now = utcnow()
        event = Event(
            title="Bench announcement",
            slug="bench-announcement",
            starts_at=now.replace(year=now.year + 1),
            ends_at=now.replace(year=now.year + 1, hour=23),
            status="published",
            published_at=now,
        )
        db.session.add(event)
        db.session.flush()
        addresses = [f"person{n}@bench.example" for n in range(people)]
        db.session.execute(
            insert(Registration),
            [
                {
                    "event_id": event.id,
                    "manage_key": f"bench-{n}",
                    "name": f"Person {n}",
                    "email": address,
                    "email_normalized": address,
                    "status": "confirmed",
                    "marketing_opt_in": True,
                    "registered_at": now,
                    "consent_at": now,
                    "updated_at": now,
                }
                for n, address in enumerate(addresses)
            ],
        )
        db.session.execute(
            insert(MarketingChoice),
            [
                {"email_normalized": a, "opted_in": True, "changed_at": now, "source": "sign-up"}
                for a in addresses
            ],
        )
        db.session.commit()


def queue_announcement(app) -> tuple[int, float]:
    """Send the announcement as the staff page does: (rows queued, seconds to commit)."""
    from app.extensions import db
    from app.staff.services.announcements import send

    with app.test_request_context():
        started = time.perf_counter()
        announcement = send(None, "Bench news", "A **benchmark** of the outbox.")
        db.session.commit()
        return announcement.recipients, time.perf_counter() - started


def keep_first(app, count: int) -> int:
    """Leave only the first `count` queued rows pending (the rest held): a shared two-core
    machine delivers a few dozen a second, so the delivery part uses a sample."""
    from sqlalchemy import func, select, update

    from app.extensions import db
    from app.models import OutboxMessage

    with app.app_context():
        cutoff = db.session.scalar(
            select(OutboxMessage.id)
            .where(OutboxMessage.status == "pending")  # not the earlier sections' mail
            .order_by(OutboxMessage.id)
            .offset(count)
            .limit(1)
        )
        if cutoff:
            db.session.execute(
                update(OutboxMessage).where(OutboxMessage.id >= cutoff).values(status="held")
            )
            db.session.commit()
        return db.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "pending")
        )


def start_worker(env: dict, log_path: Path) -> subprocess.Popen:
    handle = log_path.open("ab")
    command = [str(BIN / "flask"), "--app", "wsgi", "outbox", "deliver", "--loop"]
    return subprocess.Popen(
        [*command, "--interval", "0.5"], cwd=ROOT, env=env, stdout=handle, stderr=handle
    )


def deliver(scratch, env, expected: int, workers: int, delay: float, timeout: float) -> dict:
    """Deliver with `workers` processes; kill one when a third has arrived and start another."""
    with SMTPServer() as smtp:
        smtp.handler.delay = delay
        settings = {**env, **smtp.settings, "OUTBOX_CLAIM_LEASE_SECONDS": "10"}
        log_path = scratch.dir / "workers.log"
        processes = [start_worker(settings, log_path) for _ in range(workers)]
        started = time.monotonic()
        killed = False
        try:
            while len(set(smtp.handler.message_ids)) < expected:
                if time.monotonic() - started > timeout:
                    break
                if not killed and len(smtp.handler.message_ids) >= expected // 3:
                    processes[0].send_signal(signal.SIGKILL)  # mid-send, no clean-up
                    processes[0].wait()
                    processes[0] = start_worker(settings, log_path)
                    killed = True
                    log("killed a worker with SIGKILL and started another")
                time.sleep(0.2)
            elapsed = time.monotonic() - started
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                process.wait(30)
        ids = list(smtp.handler.message_ids)
    return {
        "received": len(ids),
        "distinct": len(set(ids)),
        "seconds": elapsed,
        "killed": killed,
    }


def run(
    scratch, env, people: int, workers: int, delay: float, timeout: float, deliver_count: int
) -> None:
    from app import create_app
    from app.extensions import db

    # Queues only: the worker processes below do all the sending.
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": scratch.url,
            "PAGE_CACHE_SECONDS": 0,
            "MAIL_DELIVERY": "worker",
            "MAIL_SERVER": "",
            "SITE_URL": env["SITE_URL"],
        }
    )
    log(f"seeding {people:,} opted-in people")
    seed_people(app, people)
    queued, seconds = queue_announcement(app)
    log(f"queued {queued:,} in {seconds:.2f} s; delivering")
    sample = keep_first(app, min(deliver_count, queued))
    with app.app_context():
        db.engine.dispose()
    result = deliver(scratch, env, sample, workers, delay, timeout)
    print(f"\n## Announcement to {people:,} people ({scratch.kind})\n")
    print("| measure | value |\n| --- | ---: |")
    print(f"| rows queued (one INSERT, one commit) | {queued:,} |")
    print(f"| time to queue, rendering included | {seconds:.2f} s |")
    print(f"| rows queued per second | {queued / seconds:,.0f} |")
    print(f"| SMTP server delay per message | {delay * 1000:.0f} ms |")
    print(f"| messages delivered in the delivery part (the rest held) | {sample:,} |")
    print(f"| delivering workers (one SIGKILLed mid-way, replaced) | {workers} |")
    print(f"| messages received / distinct Message-IDs | {result['received']:,} / "
          f"{result['distinct']:,} |")  # fmt: skip
    rate = result["distinct"] / result["seconds"]
    print(f"| delivery time / rate | {result['seconds']:.1f} s / {rate:,.0f} per second |")
    duplicates = result["received"] - result["distinct"]
    missing = sample - result["distinct"]
    print(f"\nDuplicates: {duplicates}; never delivered: {missing}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=PEOPLE)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--smtp-delay", type=float, default=0.02, help="seconds per message")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--deliver", type=int, default=2000, help="how many of them to deliver")
    options = parser.parse_args()
    scratch = Scratch(os.environ.get("DATABASE_URL"))
    try:
        env = base_env(scratch)
        run_flask(env, "db", "upgrade")
        run(
            scratch,
            env,
            options.people,
            options.workers,
            options.smtp_delay,
            options.timeout,
            options.deliver,
        )
    finally:
        scratch.close()


if __name__ == "__main__":
    main()
