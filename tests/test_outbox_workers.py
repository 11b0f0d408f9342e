"""Who sends the outbox: the background thread, `outbox deliver [--loop]`, several workers."""

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage
from app.outbox.delivery import deliver_pending
from app.outbox.queue import enqueue, retry_now
from app.outbox.sender import sender_for
from tests.support.factories import make_event
from tests.support.forms import register
from tests.support.settings import FORM_SETTINGS

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def mode():
    return "worker"


@pytest.fixture
def app_settings(smtp_server, mode):
    return {**FORM_SETTINGS, **smtp_server.settings, "MAIL_DELIVERY": mode}


@pytest.fixture
def stop_sender(app):
    """Stop this app's background sender before the database goes away."""
    yield
    sender = sender_for(app)
    if sender is not None:
        sender.stop()


def statuses(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))


def queue_messages(app, count: int) -> None:
    with app.app_context():
        for n in range(count):
            enqueue("test", f"reader{n}@example.com", f"Message {n}", f"Body {n}")
        db.session.commit()


@pytest.mark.parametrize("mode", ["thread"])
def test_thread_mode_sends_right_after_the_commit(app, client, smtp_server, stop_sender):
    slug = make_event(app, title="Quick Mail")
    register(client, slug)
    (message,) = smtp_server.wait_for(1)
    assert message["Subject"] == "Registration confirmed: Quick Mail"
    sender = sender_for(app)
    sender.stop()  # the pass that sent it has recorded it before the thread ends
    assert statuses(app) == ["sent"]


@pytest.mark.parametrize("mode", ["thread"])
def test_thread_mode_outage_never_fails_a_sign_up_or_loses_mail(
    app, client, runner, smtp_server, stop_sender
):
    slug = make_event(app, capacity=3)
    smtp_server.stop()
    for n in range(6):
        register(client, f"{slug}", email=f"person{n}@example.com")  # 303 every time
    sender_for(app).stop()  # let the thread's failed pass finish
    assert set(statuses(app)) == {"pending"}
    smtp_server.start()
    result = runner.invoke(args=["outbox", "deliver", "--retry-now"])
    assert result.exit_code == 0, result.output
    received = smtp_server.wait_for(6)
    assert sorted(m["To"] for m in received) == [f"person{n}@example.com" for n in range(6)]
    assert len({m["Message-ID"] for m in received}) == 6
    assert set(statuses(app)) == {"sent"}


def test_worker_mode_sends_nothing_until_the_worker_runs(app, client, runner, smtp_server):
    register(client, make_event(app))
    assert sender_for(app) is None
    assert smtp_server.messages == []
    assert statuses(app) == ["pending"]
    runner.invoke(args=["outbox", "deliver"])
    assert len(smtp_server.wait_for(1)) == 1


def test_several_workers_at_once_send_each_message_exactly_once(app, smtp_server):
    queue_messages(app, 30)
    start = threading.Barrier(3)
    errors = []

    def worker():
        try:
            with app.app_context():
                start.wait()
                deliver_pending()
        except Exception as error:  # reported below
            errors.append(error)

    workers = [threading.Thread(target=worker) for _ in range(3)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert errors == []
    received = smtp_server.wait_for(30)
    assert sorted(m["Subject"] for m in received) == sorted(f"Message {n}" for n in range(30))
    assert set(statuses(app)) == {"sent"}


def test_a_claim_reads_the_next_due_message_from_an_index_not_a_sort(app):
    """20,000 queued for an announcement made every claim sort them all (10 ms each on
    PostgreSQL): the claim's plan must walk an index in the workers' order instead."""
    from sqlalchemy import insert

    from app.db import utcnow
    from app.outbox.claims import due_messages

    with app.app_context():
        now = utcnow()
        db.session.execute(
            insert(OutboxMessage),
            [
                {
                    "kind": "test",
                    "message_id": f"<{n}@plan.test>",
                    "to_address": "a@example.com",
                    "subject": "s",
                    "body_text": "b",
                    "status": "pending" if n % 2 else "sent",
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for n in range(2000)
            ],
        )
        db.session.commit()
        claim = due_messages().limit(1)
        sqlite = db.engine.dialect.name == "sqlite"
        if not sqlite:
            db.session.execute(db.text("ANALYZE outbox_message"))
            claim = claim.with_for_update(skip_locked=True)
        sql = claim.compile(db.engine, compile_kwargs={"literal_binds": True})
        explain = "EXPLAIN QUERY PLAN" if sqlite else "EXPLAIN"
        rows = db.session.execute(db.text(f"{explain} {sql}")).all()
        plan = " / ".join(str(row[-1]) for row in rows)
        db.session.rollback()
    assert "ix_outbox_message_due" in plan, plan
    assert "Sort" not in plan and "TEMP B-TREE" not in plan, plan


def test_without_a_mail_server_mail_is_held_and_logged_never_lost(app, runner, smtp_server, caplog):
    app.config["MAIL_SERVER"] = ""
    queue_messages(app, 2)
    with caplog.at_level(logging.INFO, logger="northlight.mail"):
        result = runner.invoke(args=["outbox", "deliver"])
    assert "2 held" in result.output
    assert statuses(app) == ["held", "held"]
    assert "no MAIL_SERVER: holding" in caplog.text
    # The log names each message by its id; the address stays in the outbox only.
    with app.app_context():
        ids = db.session.scalars(select(OutboxMessage.message_id)).all()
    assert all(message_id in caplog.text for message_id in ids)
    assert "@example.com" not in caplog.text
    assert smtp_server.messages == []

    app.config["MAIL_SERVER"] = smtp_server.host  # a server is set up later: staff release it
    with app.app_context():
        retry_now(db.session.scalar(select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.commit()
    runner.invoke(args=["outbox", "deliver"])
    assert [m["Subject"] for m in smtp_server.wait_for(1)] == ["Message 0"]
    assert statuses(app) == ["sent", "held"]


def start_worker(database_url: str, smtp_server) -> subprocess.Popen:
    """`flask outbox deliver --loop` as its own process, as the mail service runs it."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SITE_URL": "http://northlight.test",
        "MAIL_SERVER": smtp_server.host,
        "MAIL_PORT": str(smtp_server.port),
        "MAIL_DELIVERY": "worker",
    }
    command = ["outbox", "deliver", "--loop", "--interval", "0.2"]
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_deliver_loop_runs_as_a_worker_and_stops_cleanly_on_sigterm(app, database_url, smtp_server):
    queue_messages(app, 3)
    worker = start_worker(database_url, smtp_server)
    try:
        assert len(smtp_server.wait_for(3, timeout=30)) == 3
        queue_messages(app, 1)  # new mail while it runs is picked up too
        assert len(smtp_server.wait_for(4, timeout=30)) == 4
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    assert worker.returncode == 0, output
    assert "Stopped." in output
    assert set(statuses(app)) == {"sent"}


def test_a_stopping_worker_finishes_the_message_in_hand_and_leaves_the_rest(
    app, smtp_server, monkeypatch
):
    """SIGTERM sets `stopping` (outbox deliver --loop): the worker sends and records the
    message in hand, then leaves; the rest of its claimed batch is due again at once, the
    attempt not counted, and the next worker sends it."""
    from app.outbox import delivery

    queue_messages(app, 5)
    stopping = threading.Event()
    record_sent = delivery.record_sent

    def record_then_stop(envelope, report):  # the signal arrives while the first is sent
        record_sent(envelope, report)
        stopping.set()

    monkeypatch.setattr(delivery, "record_sent", record_then_stop)
    with app.app_context():
        assert deliver_pending(stopping=stopping).sent == 1
    assert len(smtp_server.wait_for(1)) == 1
    assert statuses(app) == ["sent", "pending", "pending", "pending", "pending"]
    with app.app_context():
        left = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending"))
        assert [m.attempts for m in left] == [0, 0, 0, 0]
    monkeypatch.setattr(delivery, "record_sent", record_sent)
    with app.app_context():
        assert deliver_pending().sent == 4
    received = smtp_server.wait_for(5)
    assert len({m["Message-ID"] for m in received}) == 5
    assert set(statuses(app)) == {"sent"}


def test_a_worker_with_a_slow_server_hands_back_what_it_has_not_started_on(
    app, smtp_server, monkeypatch
):
    """Claimed ten at a time, but after a send slower than SLOW_SEND_SECONDS the rest go
    back to the queue (for other workers), their attempt not counted, and are sent later."""
    from app.outbox import delivery

    queue_messages(app, 5)
    monkeypatch.setattr(delivery, "SLOW_SEND_SECONDS", 0)  # every send is "slow"
    handed_back = []
    release = delivery.release

    def counted_release(envelopes):
        handed_back.append(len(envelopes))
        release(envelopes)

    monkeypatch.setattr(delivery, "release", counted_release)
    with app.app_context():
        assert deliver_pending().sent == 5
        attempts = list(db.session.scalars(select(OutboxMessage.attempts)))
    assert handed_back == [4]  # the rest of the first ten; then one claimed at a time
    assert attempts == [1, 1, 1, 1, 1]
    assert len({m["Message-ID"] for m in smtp_server.wait_for(5)}) == 5


def test_sigterm_stops_a_worker_after_the_message_in_hand_not_after_the_queue(
    app, database_url, smtp_server
):
    """The service's promise (README, deploy/northlight-mail.service): SIGTERM lets the worker
    finish the message in hand and leave. With a relay taking 0.2 s a message and 20 queued,
    it leaves within a second or so, what it claimed and did not send goes back (attempt not
    counted), and the next worker sends it: every message arrives once."""
    queue_messages(app, 20)
    smtp_server.handler.delay = 0.2
    worker = start_worker(database_url, smtp_server)
    try:
        assert len(smtp_server.wait_for(2, timeout=30)) >= 2
    finally:
        worker.send_signal(signal.SIGTERM)
        stopped_at = time.monotonic()
        output, _ = worker.communicate(timeout=30)
    assert worker.returncode == 0 and "Stopped." in output, output
    assert time.monotonic() - stopped_at < 5
    left = statuses(app).count("pending")
    assert left >= 10  # not the whole queue
    assert statuses(app).count("sent") == len(smtp_server.messages) == 20 - left
    with app.app_context():
        waiting = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending"))
        assert {m.attempts for m in waiting} == {0}
    smtp_server.handler.delay = 0
    with app.app_context():
        assert deliver_pending().sent == left
    assert len({m["Message-ID"] for m in smtp_server.wait_for(20)}) == 20


def test_a_claim_is_sent_only_while_its_lease_lasts(app, smtp_server):
    """A short OUTBOX_CLAIM_LEASE_SECONDS: after half of it, the rest of a batch goes back
    rather than being sent when another worker may already have taken it."""
    from app.outbox import claims

    queue_messages(app, 3)
    app.config["OUTBOX_CLAIM_LEASE_SECONDS"] = 0.000001
    with app.app_context():
        assert deliver_pending().sent == 3  # one per claim
        attempts = list(db.session.scalars(select(OutboxMessage.attempts)))
    assert attempts == [1, 1, 1]
    assert len({m["Message-ID"] for m in smtp_server.wait_for(3)}) == 3

    queue_messages(app, 3)
    app.config["OUTBOX_CLAIM_LEASE_SECONDS"] = 300
    with app.app_context():
        claimed = claims.claim_batch(10)
        assert len(claimed) == 3
        # Another worker took the second one meanwhile (its lease ran out, say).
        taken = db.session.get(OutboxMessage, claimed[1].id)
        taken.attempts += 1
        taken.next_attempt_at = claimed[1].leased_until + timedelta(minutes=5)
        db.session.commit()
        claims.release(claimed)
        rows = {m.id: m for m in db.session.scalars(select(OutboxMessage))}
        assert rows[claimed[1].id].attempts == 2  # left to the worker that holds it
        assert rows[claimed[1].id].next_attempt_at > claimed[1].leased_until
        assert rows[claimed[0].id].attempts == rows[claimed[2].id].attempts == 0
