"""The content generation: a token shared by every process, replaced whenever public content
changes, so a page stored under an older token is stale everywhere.

With Redis (RATELIMIT_STORAGE_URI is redis://) the token is a counter shared by every host;
otherwise it is a small file shared by the processes of one host.
"""

import hashlib
import os
import secrets
from pathlib import Path

import redis
from flask import Flask

# What a store raises when the token cannot be read or replaced: pages are then served uncached.
STORE_ERRORS = (OSError, redis.RedisError)


class FileGeneration:
    """The content generation as a random token in a file: shared by processes on one host."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> str:
        try:
            return self.path.read_text()
        except FileNotFoundError:
            return self.bump()

    def bump(self) -> str:
        token = secrets.token_hex(8)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.{token}")
        temporary.write_text(token)
        # A rename is atomic: readers see the old token or the new one, never half of one.
        os.replace(temporary, self.path)
        return token


class RedisGeneration:
    """The content generation as a Redis counter: shared by every process on every host."""

    def __init__(self, url: str, key: str) -> None:
        # Short timeouts: with Redis away, pages are rendered uncached rather than waiting.
        self.client = redis.Redis.from_url(url, socket_timeout=0.25, socket_connect_timeout=0.25)
        self.key = key

    def read(self) -> str:
        value = self.client.get(self.key)
        return value.decode() if value is not None else self.bump()

    def bump(self) -> str:
        return str(self.client.incr(self.key))


def generation_store(app: Flask) -> FileGeneration | RedisGeneration:
    """Redis when the app already uses it for rate limits; a file on this host otherwise."""
    database = str(app.config["SQLALCHEMY_DATABASE_URI"])
    redis_url = app.config.get("RATELIMIT_STORAGE_URI", "")
    if redis_url.startswith(("redis://", "rediss://")):
        return RedisGeneration(redis_url, f"northlight:content-generation:{digest_of(database)}")
    return FileGeneration(generation_file(database, Path(app.instance_path)))


def digest_of(database: str) -> str:
    return hashlib.sha256(database.encode()).hexdigest()[:16]


def generation_file(database: str, instance_path: Path) -> Path:
    """Where processes on this host share the token for `database` when there is no Redis."""
    if database.startswith("sqlite:///") and database != "sqlite:///:memory:":
        # Next to the database file: one token per database, gone with a test's temp dir.
        return Path(database.removeprefix("sqlite:///") + "-generation")
    return instance_path / f"content-generation-{digest_of(database)}"
