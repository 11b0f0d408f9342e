"""Sending the outbox: claim due messages, send them with Flask-Mail, record what happened.

Messages are claimed, up to CLAIM_BATCH at once, by moving their next_attempt_at forward (a
lease) in a short transaction, then sent one by one with no transaction open, so a slow mail
server never holds a database lock. A worker killed mid-send leaves its claimed messages
pending; they are due again when the lease runs out. On PostgreSQL the claim uses FOR UPDATE
SKIP LOCKED, so several workers share the queue.
"""

import logging
import re
import smtplib
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_mail import Connection
from flask_mail import Message as MailMessage
from sqlalchemy import func, select, update

from app.db import OUTAGE_ERRORS, utcnow
from app.extensions import db
from app.models import OutboxMessage, OutboxStatus
from app.outbox.queue import COMPOSERS, retry_delay

log = logging.getLogger("northlight.mail")
# Logs name messages by their id; addresses stay in the outbox, which the purge empties.
EMAIL_ADDRESS = re.compile(r"[^\s<>\"'(),;:]+@[^\s<>\"'(),;:]+")

# How long a claimed message is left alone before another worker may try it (a crash's cost);
# OUTBOX_CLAIM_LEASE_SECONDS overrides it. Longer than any send takes, so a slow SMTP relay
# never sees one message from two workers.
LEASE = timedelta(minutes=5)
# How many due messages a worker claims in one transaction: the claim's round trips are
# shared by the batch, and a worker killed mid-batch leaves at most this many to its lease.
CLAIM_BATCH = 10
# ... unless a send takes longer than this: then it hands back those it has not started on
# and takes one at a time for the rest of its pass, so that with a relay that takes seconds
# per message several workers send side by side instead of each working through its own
# ten. (Far above a send's time on a busy machine: 10-50 ms in the bench's sign-up rush.)
SLOW_SEND_SECONDS = 0.5


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    held: int = 0
    # The server could not be reached: the pass stopped early and the rest waits for later.
    interrupted: bool = False

    @property
    def attempted(self) -> int:
        return self.sent + self.retrying + self.failed

    def __str__(self) -> str:
        return f"{self.sent} sent, {self.retrying} to retry, {self.failed} failed, {self.held} held"


@dataclass(frozen=True)
class Envelope:
    """What a claimed message needs for sending, read before its transaction ends."""

    id: int
    message_id: str
    to_address: str
    subject: str
    body_text: str
    body_html: str
    ics: str | None
    ics_method: str | None
    attempts: int
    headers: dict | None = None
    # The end of this worker's claim on it (its next_attempt_at as claimed).
    leased_until: datetime | None = None


class ConnectionLost(Exception):
    """The mail server could not be reached or went away: stop this pass, retry later."""


class TimeoutConnection(Connection):
    """Flask-Mail's connection with a socket timeout, so a dead server cannot hang a worker."""

    def configure_host(self) -> smtplib.SMTP:
        timeout = current_app.config.get("MAIL_TIMEOUT", 30)
        if self.mail.use_ssl:
            host = smtplib.SMTP_SSL(self.mail.server, self.mail.port, timeout=timeout)
        else:
            host = smtplib.SMTP(self.mail.server, self.mail.port, timeout=timeout)
        host.set_debuglevel(int(self.mail.debug))
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host

    def close(self) -> None:
        if self.host is not None:
            try:
                self.host.quit()
            except (smtplib.SMTPException, OSError):
                self.host.close()
            self.host = None


def deliver_pending(
    limit: int | None = None, stopping: threading.Event | None = None
) -> DeliveryReport:
    """Send every due pending message, one at a time; hold them if no server is configured.

    Messages are claimed CLAIM_BATCH at a time. When the server goes away, `stopping` is set
    (SIGTERM), a send took longer than SLOW_SEND_SECONDS or half the claim's lease has gone,
    the message in hand is finished and the rest of the batch is released.
    """
    report = DeliveryReport()
    if not current_app.config.get("MAIL_SERVER"):
        report.held = hold_pending()
        return report
    connection: TimeoutConnection | None = None
    batch_size = CLAIM_BATCH

    def stop_here() -> bool:
        return report.interrupted or (stopping is not None and stopping.is_set())

    try:
        while (limit is None or report.attempted < limit) and not stop_here():
            size = batch_size if limit is None else min(batch_size, limit - report.attempted)
            batch = claim_batch(size)
            if batch is None:
                break
            slow = False
            for index, envelope in enumerate(batch):
                # (The first is sent straight after the claim, whatever the lease.)
                if slow or stop_here() or (index and half_the_lease_gone(envelope)):
                    release(batch[index:])
                    break
                started = time.monotonic()
                connection = send_one(envelope, connection, report)
                # A slow server: the rest go back to the queue for other workers to share,
                # and this one takes a message at a time for the rest of the pass.
                slow = time.monotonic() - started > SLOW_SEND_SECONDS
                if slow:
                    batch_size = 1
    finally:
        if connection is not None:
            connection.close()
    return report


def send_one(
    envelope: Envelope, connection: TimeoutConnection | None, report: DeliveryReport
) -> TimeoutConnection | None:
    """Send one claimed message and record the outcome; the connection to go on with."""
    try:
        if connection is None:
            connection = open_connection()
        connection.send(build_mail(envelope))
    except ConnectionLost as error:
        record_failure(envelope, str(error), report)
        report.interrupted = True
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        permanent = bool(codes) and all(code >= 500 for code in codes)
        record_failure(envelope, describe(error), report, permanent=permanent)
    except (smtplib.SMTPServerDisconnected, OSError) as error:
        record_failure(envelope, describe(error), report)
        report.interrupted = True
    except smtplib.SMTPException as error:
        permanent = getattr(error, "smtp_code", 0) >= 500
        record_failure(envelope, describe(error), report, permanent=permanent)
    except Exception as error:  # a message that cannot be built or encoded: no retry helps
        log.exception("cannot send %s", envelope.message_id)
        record_failure(envelope, describe(error), report, permanent=True)
    else:
        record_sent(envelope, report)
    return connection


def open_connection() -> TimeoutConnection:
    connection = TimeoutConnection(current_app.extensions["mail"])
    try:
        connection.__enter__()
    except (smtplib.SMTPException, OSError) as error:
        raise ConnectionLost(describe(error)) from error
    return connection


def describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def due_messages():
    return (
        select(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= utcnow()
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    )


def claim_batch(size: int) -> list[Envelope] | None:
    """Take up to `size` due messages for this worker in one transaction: count an attempt
    and lease each, compose those queued by their inputs, then commit. None when none was
    due; the list leaves out any that could not be composed (failed, logged).

    Composed before the claim's own changes are made, and with no flush until the commit,
    so the batch's changes go out together (on PostgreSQL each statement is a round trip:
    they were most of a message's cost to the worker).
    """
    query = due_messages().limit(size).with_for_update(skip_locked=True)
    messages = db.session.scalars(query).all()
    if not messages:
        db.session.rollback()
        return None
    envelopes, failed = [], []
    lease_until = utcnow() + claim_lease()
    with db.session.no_autoflush:
        for message in messages:
            problem = composed(message)
            message.attempts += 1
            message.next_attempt_at = lease_until
            # A leased message has no error: that is how a retry-now tells it from one waiting.
            message.last_error = problem
            if problem is None:
                envelopes.append(envelope_of(message))
            else:
                message.status = OutboxStatus.FAILED
                failed.append((message.message_id, problem))
    db.session.commit()
    for message_id, problem in failed:
        log.error("cannot compose %s: %s", message_id, without_addresses(problem))
    return envelopes


def half_the_lease_gone(envelope: Envelope) -> bool:
    """Whether this worker has held its claim on `envelope` for half the lease: a message is
    sent only while its lease is sure to last, so no other worker can take it meanwhile
    (OUTBOX_CLAIM_LEASE_SECONDS may be short; ten sends together may not be)."""
    return utcnow() >= envelope.leased_until - claim_lease() / 2


def envelope_of(message: OutboxMessage) -> Envelope:
    return Envelope(
        id=message.id,
        message_id=message.message_id,
        to_address=message.to_address,
        subject=message.subject,
        body_text=message.body_text,
        body_html=message.body_html,
        ics=message.ics,
        ics_method=message.ics_method,
        attempts=message.attempts,
        headers=message.headers,
        leased_until=message.next_attempt_at,
    )


def release(envelopes: list[Envelope]) -> None:
    """Claimed but never tried (the server went away or is slow, the worker is stopping):
    due again at once, and the attempt not counted, so an outage uses up no one's attempts.
    Only messages still under this claim (their lease unchanged): one another worker has
    taken since is left to it."""
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_([envelope.id for envelope in envelopes]),
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at == envelopes[0].leased_until,
        )
        .values(attempts=OutboxMessage.attempts - 1, next_attempt_at=utcnow())
    )
    db.session.commit()


def composed(message: OutboxMessage) -> str | None:
    """Write the bodies of a message queued by its inputs; what went wrong, or None.

    Composed once: the finished bodies replace the inputs in the claim's transaction, so a
    retry sends the same message and staff read what was sent. A composer only reads until
    it has everything, then sets the bodies (COMPOSERS): one that fails has written nothing.
    """
    if message.compose is None:
        return None
    composer = COMPOSERS.get(message.compose.get("composer"))
    if composer is None:
        return f"No composer for {message.compose.get('composer')!r}."
    try:
        if not composer(message):
            return "Its registration no longer exists: there was nothing to write."
    except OUTAGE_ERRORS:
        # The database went away while the message was being written: not the message's
        # fault. The claim is undone with the transaction; the worker waits and tries again.
        raise
    except Exception as error:  # a template that cannot render: no retry helps
        log.exception("cannot compose %s", message.message_id)
        return describe(error)
    return None


def claim_lease() -> timedelta:
    seconds = current_app.config.get("OUTBOX_CLAIM_LEASE_SECONDS")
    return LEASE if seconds is None else timedelta(seconds=float(seconds))


def build_mail(envelope: Envelope) -> MailMessage:
    """The Flask-Mail message: text with an HTML alternative, the .ics attached, our Message-ID."""
    mail = MailMessage(
        subject=envelope.subject,
        recipients=[envelope.to_address],
        body=envelope.body_text,
        html=envelope.body_html or None,
    )
    # The same Message-ID on every attempt: a resend after a crash is recognisably the same mail.
    mail.msgId = envelope.message_id
    if envelope.headers:
        # Only headers the site itself wrote (List-Unsubscribe); one line each, whatever is stored.
        mail.extra_headers = {
            name: " ".join(str(value).split()) for name, value in envelope.headers.items()
        }
    if envelope.ics:
        method = envelope.ics_method or "PUBLISH"
        mail.attach(
            filename="cancel.ics" if method == "CANCEL" else "invite.ics",
            content_type=f"text/calendar; method={method}; charset=UTF-8",
            data=envelope.ics.encode("utf-8"),
        )
    return mail


def without_addresses(text: str) -> str:
    """An SMTP error for the log: servers often quote the recipient; the log never does."""
    return EMAIL_ADDRESS.sub("[address]", text)


def record_sent(envelope: Envelope, report: DeliveryReport) -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == envelope.id)
        .values(status=OutboxStatus.SENT, sent_at=utcnow(), last_error=None)
    )
    db.session.commit()
    report.sent += 1
    log.info("sent %s: %s", envelope.message_id, envelope.subject)


def record_failure(
    envelope: Envelope, error: str, report: DeliveryReport, *, permanent: bool = False
) -> None:
    """Schedule the next try with back-off, or give up after the last attempt (kept, failed)."""
    max_attempts = current_app.config.get("MAIL_MAX_ATTEMPTS", 8)
    give_up = permanent or envelope.attempts >= max_attempts
    values = {"last_error": error}
    if give_up:
        values["status"] = OutboxStatus.FAILED
    else:
        values["next_attempt_at"] = utcnow() + retry_delay(envelope.attempts)
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == envelope.id).values(values))
    db.session.commit()
    if give_up:
        report.failed += 1
        log.error("gave up on %s: %s", envelope.message_id, without_addresses(error))
    else:
        report.retrying += 1
        log.warning("will retry %s: %s", envelope.message_id, without_addresses(error))


def hold_pending() -> int:
    """No mail server: keep due mail as `held` (staff can read it) and log it, never drop it."""
    messages = db.session.scalars(due_messages().with_for_update(skip_locked=True)).all()
    for message in messages:
        problem = composed(message)  # staff read held mail as it would have gone
        if problem is not None:
            message.status, message.last_error = OutboxStatus.FAILED, problem
            continue
        message.status = OutboxStatus.HELD
        log.info("no MAIL_SERVER: holding %s: %s", message.message_id, message.subject)
    db.session.commit()
    return len(messages)


def reschedule_deferred() -> int:
    """Make every message waiting for a retry due now (after an outage is fixed)."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at > utcnow(),
            OutboxMessage.last_error.is_not(None),
        )
        .values(next_attempt_at=utcnow())
    )
    db.session.commit()
    return result.rowcount


def seconds_until_next_due(longest: float) -> float:
    """How long a sender may sleep before the next pending message is due."""
    next_due = db.session.scalar(
        select(func.min(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.status == OutboxStatus.PENDING
        )
    )
    db.session.rollback()
    if next_due is None:
        return longest
    return max(0.0, min(longest, (next_due - utcnow()).total_seconds()))
