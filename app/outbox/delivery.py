"""Sending the outbox: claim due messages (app/outbox/claims.py), send them with Flask-Mail,
record what happened.

Claimed messages are sent one by one with no transaction open, so a slow mail server never
holds a database lock.
"""

import logging
import smtplib
import threading
import time
from dataclasses import dataclass
from email import policy
from email.header import Header

from flask import current_app
from flask_mail import Connection
from flask_mail import Message as MailMessage
from sqlalchemy import bindparam, func, select, update

from app.db import utcnow
from app.extensions import db
from app.models import OutboxMessage, OutboxStatus
from app.outbox.claims import (
    CLAIM_BATCH,
    Envelope,
    claim_batch,
    composed,
    describe,
    due_messages,
    half_the_lease_gone,
    prepare,
    release,
    without_addresses,
)
from app.outbox.queue import retry_delay

log = logging.getLogger("northlight.mail")
# A worker claims CLAIM_BATCH messages at once, unless a send takes longer than this: then
# it hands back those it has not started on and takes one at a time for the rest of its
# pass, so that with a relay that takes seconds per message several workers send side by
# side instead of each working through its own ten. (Far above a send's time on a busy
# machine: 10-50 ms in the bench's sign-up rush.)
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


# How messages are written out for SMTP: the email package's original rules with the CRLF line
# ends SMTP wants. Under policy.SMTP, which Flask-Mail sets, a List-Unsubscribe URL longer than
# a line became RFC 2047 encoded words (`=?utf-8?q?=3Chttps…`), which no mailbox provider reads
# as a link; a subject Flask-Mail had encoded already was folded again, a space landing inside
# a word ("Reykjanesb ær"); and every header was parsed again as it was written: 1.2 of a
# message's 5.0 ms in the worker. These rules fold the URL onto a line of its own, as it is.
WIRE_POLICY = policy.compat32.clone(linesep="\r\n")


class OutgoingMail(MailMessage):
    """Flask-Mail's message, written out with WIRE_POLICY."""

    def _message(self):
        message = super()._message()
        message.policy = WIRE_POLICY
        if self.subject:
            # Encoded here knowing its header's name, so the first line is not left empty.
            charset = None if self.subject.isascii() else "utf-8"
            subject = Header(self.subject, charset, header_name="Subject")
            message.replace_header("Subject", subject)
        return message


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


def build_mail(envelope: Envelope) -> OutgoingMail:
    """The Flask-Mail message: text with an HTML alternative, the .ics attached, our Message-ID."""
    mail = OutgoingMail(
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


# Built once (see app/site/queries.py, PUBLIC_EVENT_BY_SLUG): run for every message sent.
MARK_SENT = (
    update(OutboxMessage)
    .where(OutboxMessage.id == bindparam("message_row"))
    .values(status=OutboxStatus.SENT, sent_at=bindparam("sent"), last_error=None)
    .execution_options(synchronize_session=False)
)


def record_sent(envelope: Envelope, report: DeliveryReport) -> None:
    db.session.execute(MARK_SENT, {"message_row": envelope.id, "sent": utcnow()})
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
    prepared = prepare(messages)
    for message in messages:
        problem = composed(message, prepared)  # staff read held mail as it would have gone
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
