"""The per-process background sender (MAIL_DELIVERY=thread): woken after a commit adds mail.

The web request only writes outbox rows; this thread sends them in its own app context, so a
slow or absent mail server never slows down or fails a registration.
"""

import logging
import threading

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.outbox.delivery import deliver_pending, seconds_until_next_due
from app.outbox.queue import FIRST_RETRY_SECONDS, OUTBOX_DIRTY
from app.outbox.schedule import run_due_jobs, seconds_until_next_job

log = logging.getLogger("northlight.mail")

EXTENSION_KEY = "northlight.mail_sender"
# Even with nothing to wake it, look again this often (retries fall due, other processes' mail).
LONGEST_SLEEP = 60.0


class BackgroundSender:
    """One daemon thread per process that delivers the outbox whenever it is woken."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.wake_event = threading.Event()
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def ensure_started(self) -> None:
        # Checked on every wake: after a fork (gunicorn --preload) the thread is gone and restarts.
        if self.thread is not None and self.thread.is_alive():
            return
        with self.lock:
            if self.thread is not None and self.thread.is_alive():
                return
            self.stop_event.clear()
            self.thread = threading.Thread(
                target=self.run, name="northlight-mail-sender", daemon=True
            )
            self.thread.start()

    def wake(self) -> None:
        self.ensure_started()
        self.wake_event.set()

    def stop(self, timeout: float = 10.0) -> None:
        self.stop_event.set()
        self.wake_event.set()
        if self.thread is not None:
            self.thread.join(timeout)

    def run(self) -> None:
        while not self.stop_event.is_set():
            self.wake_event.clear()
            try:
                with self.app.app_context():
                    report = deliver_pending(stopping=self.stop_event)
                    run_due_jobs()
                    sleep = min(
                        seconds_until_next_due(LONGEST_SLEEP), seconds_until_next_job(LONGEST_SLEEP)
                    )
                if report.interrupted:
                    # The server is unreachable: give it the first retry's pause before trying more.
                    sleep = FIRST_RETRY_SECONDS
            except Exception:  # the thread must outlive any one failure (database down, ...)
                log.exception("background mail sender: delivery pass failed")
                sleep = FIRST_RETRY_SECONDS
            self.wake_event.wait(timeout=max(sleep, 0.5))


def sender_for(app: Flask) -> BackgroundSender | None:
    return app.extensions.get(EXTENSION_KEY)


@event.listens_for(Session, "after_commit")
def wake_sender_after_commit(session: Session) -> None:
    """A transaction that added mail has committed: hand it to the sender at once."""
    if not session.info.pop(OUTBOX_DIRTY, False) or not has_app_context():
        return
    sender = sender_for(current_app)
    if sender is not None:
        sender.wake()


@event.listens_for(Session, "after_rollback")
def forget_rolled_back_mail(session: Session) -> None:
    session.info.pop(OUTBOX_DIRTY, None)


def init_app(app: Flask) -> None:
    """In thread mode, give the app a sender; it starts with the first request or commit."""
    if app.config.get("MAIL_DELIVERY", "thread") != "thread":
        return
    sender = BackgroundSender(app)
    app.extensions[EXTENSION_KEY] = sender

    @app.before_request
    def start_mail_sender():
        # Started on the first request too, so mail left from before a restart goes out.
        sender.ensure_started()
