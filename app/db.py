"""Database plumbing: UTC timestamps, SQLite settings that let many processes write at once."""

from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

# Write transactions on SQLite must start with BEGIN IMMEDIATE: a deferred transaction that
# reads first and writes later fails at once with "database is locked" when another writer
# is active, whatever the busy timeout. Read-only requests (GET/HEAD) switch this off so
# readers never queue behind writers; everything else (POSTs, CLI, threads) writes safely.
sqlite_immediate: ContextVar[bool] = ContextVar("sqlite_immediate", default=True)

# Execution options of an UPDATE that changes only seat or queue counters (taking or freeing
# a seat, a waitlist ticket). The page cache lets such counts show a second late instead of
# emptying itself on every sign-up (app/http/change_detection.py reads the option).
SEAT_COUNTER = {"synchronize_session": False, "northlight_seat_counter": True}


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
        connection.exec_driver_sql("BEGIN IMMEDIATE" if sqlite_immediate.get() else "BEGIN")
