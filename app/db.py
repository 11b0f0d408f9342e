"""Database plumbing: UTC timestamps, SQLite settings that let many processes write at once."""

import fcntl
import os
from contextvars import ContextVar
from datetime import UTC, datetime

from flask import request
from sqlalchemy import DateTime, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

from app.extensions import db

# Write transactions on SQLite must start with BEGIN IMMEDIATE: a deferred transaction that
# reads first and writes later fails at once with "database is locked" when another writer
# is active, whatever the busy timeout. Read-only requests (GET/HEAD) switch this off so
# readers never queue behind writers; everything else (POSTs, CLI, threads) writes safely.
sqlite_immediate: ContextVar[bool] = ContextVar("sqlite_immediate", default=True)
# request.environ key: the token that restores sqlite_immediate when the request ends.
TOKEN_KEY = "northlight.sqlite_token"

# The database is down, restarting, refusing connections or out of pooled connections: the
# web answers 503 (app/observability.py) and the outbox worker waits (app/outbox/cli.py).
# Other errors (IntegrityError, ProgrammingError) are bugs or races: they stay errors.
OUTAGE_ERRORS = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)


def forget_transaction() -> None:
    """After an outage error: roll back what the lost connection was doing; if even that
    fails, drop the session so nothing broken goes back to the pool (it reconnects by itself
    once the database is back)."""
    try:
        db.session.rollback()
    except sa_exc.SQLAlchemyError:
        db.session.remove()


# Execution options of an UPDATE that changes only seat or queue counters (taking or freeing
# a seat, a waitlist ticket). The page cache lets such counts show a second late instead of
# emptying itself on every sign-up (app/http/change_detection.py reads the option).
SEAT_COUNTER = {"synchronize_session": False, "northlight_seat_counter": True}


def start_writing() -> None:
    """A write request that reads first (a sign-up: the event, the form's questions) calls
    this before its first write. On SQLite, those reads ran in a plain BEGIN (the view asked
    for it with reads_first): this ends that read transaction, keeping what was loaded, and the
    writes start with BEGIN IMMEDIATE, so the writer lock is held only for them. Else nothing.
    """
    if sqlite_immediate.get():
        return
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()  # nothing was written: it only ends the snapshot
    finally:
        session.expire_on_commit = True
    sqlite_immediate.set(True)


def reads_first() -> None:
    """Begin this request's transaction as a reader on SQLite (see start_writing); the
    request's teardown restores the default (app/__init__.py)."""
    if db.engine.dialect.name == "sqlite" and TOKEN_KEY not in request.environ:
        request.environ[TOKEN_KEY] = sqlite_immediate.set(False)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite keeps no offset of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware one (UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def configure_sqlite(engine: Engine) -> None:
    """WAL, a busy timeout and BEGIN IMMEDIATE for writers: concurrent writers queue, not fail."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, connection_record):
        # Take transaction control away from the driver so we can choose how BEGIN looks.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        if not sqlite_immediate.get():
            connection.exec_driver_sql("BEGIN")
            return
        queue_for_writing(connection)
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    queue_writers(engine)


# Connection info key: the descriptor of the database's writer queue file, and whether this
# connection holds it.
QUEUE_FD, QUEUED = "northlight.writer_queue", "northlight.writer_queued"


def queue_writers(engine: Engine) -> None:
    """Writers wait for each other in a queue instead of polling.

    SQLite lets one writer in at a time; the others sleep and retry (the busy timeout), up to
    100 ms between tries, and a newcomer can take the lock ahead of one that has waited for
    seconds: in the bench's rush of 1,100 sign-ups the median waited 0.1 s, the slowest 1%
    1.7-2.0 s (0.6-0.85 s in this queue). So every writer of this app first takes an
    exclusive lock on a file beside the database (flock, the kernel wakes the next waiter the
    moment it is released) and lets it go when its transaction ends. Writers from elsewhere
    (the sqlite3 shell) still meet the busy timeout. In-memory databases have no file and no
    other process: nothing to do.
    """
    path = engine.url.database
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    lock_path = f"{path}-writers"

    @event.listens_for(engine, "connect")
    def open_queue(dbapi_connection, connection_record):
        connection_record.info[QUEUE_FD] = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)

    @event.listens_for(engine, "close")
    def close_queue(dbapi_connection, connection_record):
        connection_record.info.pop(QUEUED, None)
        descriptor = connection_record.info.pop(QUEUE_FD, None)
        if descriptor is not None:
            os.close(descriptor)  # also lets the queue go

    # A transaction's connection goes back to the pool when it ends (the session lets it go
    # at commit or rollback): "reset" comes after the COMMIT, so the next writer finds the
    # database free; a connection that breaks lets its place go too.
    @event.listens_for(engine, "reset")
    def returned(dbapi_connection, connection_record, reset_state):
        leave_queue(connection_record.info)

    @event.listens_for(engine, "invalidate")
    def broken(dbapi_connection, connection_record, exception):
        leave_queue(connection_record.info)


def queue_for_writing(connection) -> None:
    info = connection.connection.info
    descriptor = info.get(QUEUE_FD)
    if descriptor is not None and not info.get(QUEUED):
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        info[QUEUED] = True


def leave_queue(info: dict) -> None:
    if info.pop(QUEUED, False) and QUEUE_FD in info:
        fcntl.flock(info[QUEUE_FD], fcntl.LOCK_UN)
