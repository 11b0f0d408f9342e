"""A per-process cache of public pages for anonymous visitors, dropped whenever content changes.

Rendering a page costs a few SQL queries and a template; a launch email sends thousands of
people to the same few pages. So each process keeps the pages it rendered, keyed by URL,
and tags them with the *content generation*: a token that every committed write to
articles, events, authors, tags or registrations replaces (after the commit, so a page
rendered from the old rows can never be stored under the new token). Staleness bounds:

- a change made by this process: none, the next request renders afresh;
- a change made by another process: at most PAGE_CACHE_CHECK_SECONDS (1 s), the interval
  at which each process re-reads the shared token (from Redis when RATELIMIT_STORAGE_URI
  is redis://, otherwise from a small file on this machine);
- a change that only the clock makes (a scheduled article appearing, registration
  closing): at most PAGE_CACHE_SECONDS (60 s), the longest a page is kept at all.

Seat counts shown on a cached event page may therefore lag by a second; the registration
form always takes seats with the real count. Only GETs without a session cookie are
served from the cache, and only 200 pages that put nothing in the session are stored, so a
page holding a CSRF token (the registration form) is always rendered for its visitor.
"""

import hashlib
import logging
import os
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import redis
from flask import Flask, Response, current_app, g, has_app_context, request, session
from flask_login.config import COOKIE_NAME
from sqlalchemy import event
from sqlalchemy.sql.elements import TextClause

from app.extensions import db

log = logging.getLogger("northlight.page_cache")

# Tables whose rows appear on public pages (seat counts included).
CONTENT_TABLES = frozenset(
    {"article", "article_tag", "author", "tag", "event", "registration", "slug_redirect"}
)
CACHEABLE_BLUEPRINTS = frozenset({"site", "registration"})
NEVER_CACHED_ENDPOINTS = frozenset({"site.healthz"})
PRIVATE_PREFIXES = ("/staff", "/registrations/")
CACHEABLE_MIMETYPES = frozenset(
    {"text/html", "application/atom+xml", "application/xml", "text/plain", "text/calendar"}
)
# Headers that belong to one response, not to the page: they are made afresh each time.
PER_RESPONSE_HEADERS = frozenset({"set-cookie", "date", "content-length", "x-request-id"})
MAX_BODY_BYTES = 512 * 1024
HIT_HEADER = "X-Cache"
# Flask-Login's "remember me" cookie: its holder may be signed in even without a session.
REMEMBER_COOKIE = COOKIE_NAME


@dataclass(frozen=True)
class CachedPage:
    generation: str
    stored_at: float
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


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


class PageCache:
    """Pages by URL, valid while the content generation they were rendered under is current."""

    def __init__(self, store, max_age: float, check_interval: float, max_entries: int) -> None:
        self.store = store
        self.max_age = max_age
        self.check_interval = check_interval
        self.max_entries = max_entries
        self.pages: OrderedDict[str, CachedPage] = OrderedDict()
        self.lock = threading.Lock()
        self._generation: str | None = None
        self._checked_at = float("-inf")
        self._failure_logged_at = float("-inf")

    def generation(self) -> str | None:
        """The current generation, re-read at most every check_interval; None if unknown."""
        now = time.monotonic()
        if now - self._checked_at >= self.check_interval:
            try:
                self._generation = self.store.read()
            except (OSError, redis.RedisError) as error:
                self._generation = None
                self._log_failure("read", error)
            self._checked_at = now
        return self._generation

    def bump(self) -> None:
        """Content changed: every page stored so far, in every process, is now stale."""
        try:
            self._generation = self.store.bump()
        except (OSError, redis.RedisError) as error:
            # Other processes keep their pages until PAGE_CACHE_SECONDS; this one drops its own.
            self._generation = None
            self._log_failure("bump", error)
        self._checked_at = time.monotonic()
        with self.lock:
            self.pages.clear()

    def get(self, key: str, generation: str) -> CachedPage | None:
        with self.lock:
            page = self.pages.get(key)
            if page is None:
                return None
            if page.generation != generation or time.monotonic() - page.stored_at > self.max_age:
                del self.pages[key]
                return None
            self.pages.move_to_end(key)
            return page

    def put(self, key: str, page: CachedPage) -> None:
        with self.lock:
            self.pages[key] = page
            self.pages.move_to_end(key)
            while len(self.pages) > self.max_entries:
                self.pages.popitem(last=False)

    def _log_failure(self, action: str, error: Exception) -> None:
        now = time.monotonic()
        if now - self._failure_logged_at > 60:
            self._failure_logged_at = now
            log.warning(
                "page cache generation unavailable; serving uncached",
                extra={"fields": {"action": action, "error": str(error)}},
            )


def generation_store(app: Flask):
    """Redis when the app already uses it for rate limits; a file on this host otherwise."""
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    digest = hashlib.sha256(database.encode()).hexdigest()[:16]
    redis_url = app.config.get("RATELIMIT_STORAGE_URI", "")
    if redis_url.startswith(("redis://", "rediss://")):
        return RedisGeneration(redis_url, f"northlight:content-generation:{digest}")
    if database.startswith("sqlite:///") and database != "sqlite:///:memory:":
        # Next to the database file: one token per database, gone with a test's temp dir.
        return FileGeneration(Path(database.removeprefix("sqlite:///") + "-generation"))
    return FileGeneration(Path(app.instance_path) / f"content-generation-{digest}")


def cache_key() -> str | None:
    """The URL to cache this request under, or None when it must be rendered for its visitor."""
    if request.method != "GET" or request.blueprint not in CACHEABLE_BLUEPRINTS:
        return None
    if request.endpoint in NEVER_CACHED_ENDPOINTS or request.path.startswith(PRIVATE_PREFIXES):
        return None
    cookies = request.cookies
    if current_app.config["SESSION_COOKIE_NAME"] in cookies or REMEMBER_COOKIE in cookies:
        return None
    if "Authorization" in request.headers:
        return None
    return request.url


def serve_cached_page():
    """before_request: answer from the cache, or note where to store the page once rendered."""
    cache: PageCache = current_app.extensions["page_cache"]
    key = cache_key()
    if key is None:
        return None
    # Taken before the view reads anything: a write committed meanwhile makes it stale.
    generation = cache.generation()
    if generation is None:
        return None
    page = cache.get(key, generation)
    if page is None:
        g.page_cache_slot = (key, generation)
        return None
    response = current_app.response_class(page.body, status=page.status, headers=page.headers)
    response.headers[HIT_HEADER] = "HIT"
    return response


def is_storable(response: Response) -> bool:
    cache_control = response.headers.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.is_streamed
        and not response.direct_passthrough
        and response.mimetype in CACHEABLE_MIMETYPES
        and "Set-Cookie" not in response.headers
        and "no-store" not in cache_control
        and "private" not in cache_control
        # The page put something in the session (a CSRF token): it belongs to this visitor.
        # (Not `session.accessed`: Flask 3.1 sets it on any touch, Flask-Login touches it always.)
        and not current_app.session_interface.should_set_cookie(current_app, session)
        and (response.content_length or 0) <= MAX_BODY_BYTES
    )


def store_rendered_page(response: Response) -> Response:
    """after_request: keep a copy of a public page that holds nothing of its visitor."""
    slot = g.pop("page_cache_slot", None)
    if slot is None or not is_storable(response):
        return response
    key, generation = slot
    headers = tuple(
        (name, value)
        for name, value in response.headers.items()
        if name.lower() not in PER_RESPONSE_HEADERS
    )
    page = CachedPage(generation, time.monotonic(), response.status_code, headers, response.data)
    current_app.extensions["page_cache"].put(key, page)
    return response


def note_content_write(session, *args) -> None:
    """after_flush: remember that this transaction changed something public."""
    for instance in (*session.new, *session.dirty, *session.deleted):
        table = getattr(type(instance), "__table__", None)
        if table is not None and table.name in CONTENT_TABLES:
            session.info["content_changed"] = True
            return


def note_content_statement(state) -> None:
    """do_orm_execute: bulk UPDATE/INSERT/DELETE statements (seat counters) change content."""
    statement = state.statement
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(statement, "table", None)
        if table is None or table.name in CONTENT_TABLES:
            state.session.info["content_changed"] = True
    elif isinstance(statement, TextClause):
        # Hand-written SQL: assume the worst if it writes at all.
        verb = statement.text.lstrip()[:6].upper()
        if verb in ("UPDATE", "INSERT", "DELETE"):
            state.session.info["content_changed"] = True


def bump_after_commit(session) -> None:
    """after_commit: the change is visible to everyone now, so every stored page is stale."""
    if not session.info.pop("content_changed", False) or not has_app_context():
        return
    cache = current_app.extensions.get("page_cache")
    if cache is not None:
        cache.bump()


_listening = False


def listen_for_writes() -> None:
    global _listening
    if _listening:
        return
    event.listen(db.session, "after_flush", note_content_write)
    event.listen(db.session, "do_orm_execute", note_content_statement)
    event.listen(db.session, "after_commit", bump_after_commit)
    _listening = True


def register(app: Flask) -> None:
    """Serve anonymous GETs of public pages from a per-process cache (PAGE_CACHE_SECONDS=0: off)."""
    max_age = float(app.config.get("PAGE_CACHE_SECONDS", 60))
    if max_age <= 0:
        return
    app.extensions["page_cache"] = PageCache(
        generation_store(app),
        max_age=max_age,
        check_interval=float(app.config.get("PAGE_CACHE_CHECK_SECONDS", 1.0)),
        max_entries=int(app.config.get("PAGE_CACHE_MAX_ENTRIES", 500)),
    )
    listen_for_writes()
    app.before_request(serve_cached_page)
    app.after_request(store_rendered_page)
