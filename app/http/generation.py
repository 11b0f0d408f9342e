"""The content generation: a token shared by every process, replaced whenever public content
changes, so a page stored under an older token is stale everywhere.

With Redis (RATELIMIT_STORAGE_URI is redis://) the token is a counter shared by every host;
otherwise it is a small file shared by the processes of one host.
"""

import hashlib
import os
import secrets
import threading
from pathlib import Path

import redis
from flask import Flask

# What a store raises when the token cannot be read or replaced: pages are then served uncached.
STORE_ERRORS = (OSError, redis.RedisError)
# For every Redis client of the app (this one, the rate limiter's): a Redis that hangs costs a
# request a quarter of a second, not a worker.
REDIS_TIMEOUTS = {"socket_timeout": 0.25, "socket_connect_timeout": 0.25}


class FileGeneration:
    """The content generation as a random token in a file: shared by processes on one host.

    The token is rewritten in place, the same 16 bytes at the start of the file, through a
    descriptor each process keeps: it is replaced after every sign-up's commit (inside SQLite's
    writer queue), and a new file renamed over the old cost 150 µs and more under load,
    a write 1 µs. A read that meets a write half done gets a token that is neither the old nor
    the new one: a change, as it is. A file deleted or replaced under a process is reopened at
    its next read.
    """

    SIZE = 16

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()
        self.descriptor: int | None = None

    def file(self) -> int:
        with self.lock:
            if self.descriptor is not None and not self.replaced(self.descriptor):
                return self.descriptor
            if self.descriptor is not None:
                os.close(self.descriptor)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            return self.descriptor

    def replaced(self, descriptor: int) -> bool:
        try:
            return os.stat(self.path).st_ino != os.fstat(descriptor).st_ino
        except FileNotFoundError:
            return True

    def read(self) -> str:
        token = os.pread(self.file(), self.SIZE, 0).decode("ascii", "replace")
        return token if len(token) == self.SIZE else self.bump()

    def bump(self) -> str:
        token = secrets.token_hex(self.SIZE // 2)
        descriptor = self.descriptor if self.descriptor is not None else self.file()
        os.pwrite(descriptor, token.encode(), 0)
        return token


class RedisGeneration:
    """The content generation as a Redis counter: shared by every process on every host."""

    def __init__(self, url: str, key: str) -> None:
        # Short timeouts: with Redis away, pages are rendered uncached rather than waiting.
        self.client = redis.Redis.from_url(url, **REDIS_TIMEOUTS)
        self.key = key

    def read(self) -> str:
        value = self.client.get(self.key)
        return value.decode() if value is not None else self.bump()

    def bump(self) -> str:
        return str(self.client.incr(self.key))


def redis_url(app: Flask) -> str | None:
    """The Redis the app shares between processes (RATELIMIT_STORAGE_URI), if it has one."""
    url = str(app.config.get("RATELIMIT_STORAGE_URI", ""))
    return url if url.startswith(("redis://", "rediss://")) else None


def generation_store(app: Flask) -> FileGeneration | RedisGeneration:
    """Redis when the app already uses it for rate limits; a file on this host otherwise."""
    database = str(app.config["SQLALCHEMY_DATABASE_URI"])
    shared = redis_url(app)
    if shared:
        return RedisGeneration(shared, f"northlight:content-generation:{digest_of(database)}")
    return FileGeneration(generation_file(database, Path(app.instance_path)))


def digest_of(database: str) -> str:
    return hashlib.sha256(database.encode()).hexdigest()[:16]


def generation_file(database: str, instance_path: Path) -> Path:
    """Where processes on this host share the token for `database` when there is no Redis."""
    if database.startswith("sqlite:///") and database != "sqlite:///:memory:":
        # Next to the database file: one token per database, gone with a test's temp dir.
        return Path(database.removeprefix("sqlite:///") + "-generation")
    return instance_path / f"content-generation-{digest_of(database)}"
