"""A per-process cache of public pages for anonymous visitors, dropped whenever content changes.

Rendering a page costs a few SQL queries and a template; a launch email sends thousands of
people to the same few pages. So each process keeps the pages it rendered, keyed by URL,
and tags them with the *content generation*: a token that every committed write to
articles, events, authors, tags or registrations replaces (after the commit, so a page
rendered from the old rows can never be stored under the new token). Staleness bounds:

- an edit (article, event details, author, tag) made by this process: none, the next
  request renders afresh;
- an edit made by another process, and any seat count (sign-ups, cancellations): at most
  PAGE_CACHE_CHECK_SECONDS (1 s), the interval at which each process re-reads the shared
  token (from Redis when RATELIMIT_STORAGE_URI is redis://, otherwise from a small file on
  this machine). Seat changes do not empty even the writing process's cache at once: in a
  sign-up rush that would happen with every commit, and the page would never be cached;
- a change that only the clock makes (a scheduled article appearing, registration
  closing): at most PAGE_CACHE_SECONDS (60 s), the longest a page is kept at all.

Seat counts shown on a cached event page may therefore lag by a second; the registration
form always takes seats with the real count. Only GETs without a session cookie are
served from the cache, and only 200 pages that put nothing in the session are stored, so a
page holding a CSRF token (the registration form) is always rendered for its visitor.

Hits are answered by a WSGI middleware before Flask runs (PageCacheMiddleware); Flask's
after_request hooks have already shaped the stored response (security headers, ETag), so
a hit is byte-for-byte the page Flask would send, with a fresh X-Request-ID. Rate limits
are not consulted for hits: no public page has one (limits are on POSTs and sign-in).
"""

import hashlib
import logging
import os
import re
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter

import redis
from flask import Flask, Response, current_app, has_app_context, request, session
from flask_login.config import COOKIE_NAME
from sqlalchemy import event, inspect
from sqlalchemy.sql.elements import TextClause
from werkzeug.middleware.proxy_fix import ProxyFix

from app.extensions import db
from app.observability import REQUEST_ID_HEADER, log_request, request_id_for

log = logging.getLogger("northlight.page_cache")

# Tables whose rows appear on public pages (seat counts included).
CONTENT_TABLES = frozenset(
    {"article", "article_tag", "author", "tag", "event", "registration", "slug_redirect"}
)
# Sign-ups change only seat counts: those may show up to a check interval late (see bump).
SEAT_TABLES = frozenset({"registration"})
SEAT_COLUMNS = frozenset({"seats_taken", "waitlist_issued", "updated_at"})
# session.info key: what the transaction changed, "content" or "seats".
CHANGED = "northlight.page_cache.changed"
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
# What a 304 leaves out: it describes the page, it does not carry it.
ENTITY_HEADERS = frozenset({"content-length", "content-type", "content-encoding"})
# Where the middleware and the after_request hook pass a request's cache slot.
SLOT = "northlight.page_cache"
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
        self.signed_in_cookie = re.compile(r"(?!)")  # set by register() from the app's config

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

    def bump(self, at_once: bool = True) -> None:
        """Content changed: pages stored so far, in every process, are now stale. This
        process drops its own at once, or (at_once=False) at its next check like the others."""
        try:
            token = self.store.bump()
        except (OSError, redis.RedisError) as error:
            # Other processes keep their pages until PAGE_CACHE_SECONDS; this one drops its own.
            token = None
            at_once = True
            self._log_failure("bump", error)
        if at_once:
            self._generation = token
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


class PageCacheMiddleware:
    """WSGI middleware, inside ProxyFix: answers cache hits without entering Flask at all
    (that is where the time goes), and keeps what Flask marked storable on the way out.

    A hit gets the stored status, body and headers (security headers, ETag and all, exactly
    as the after_request hooks made them), a new X-Request-ID and its own log line; an
    If-None-Match naming the stored ETag gets a 304, as Flask would give.
    """

    def __init__(self, wsgi_app, app: Flask, cache: "PageCache") -> None:
        self.wsgi_app = wsgi_app
        self.cache = cache
        self.trusted_proxies = app.config["TRUSTED_PROXIES"]

    def cache_key(self, environ: dict) -> str | None:
        """The URL to cache this request under; None when it must be rendered for its visitor."""
        if environ.get("REQUEST_METHOD") != "GET" or "HTTP_AUTHORIZATION" in environ:
            return None
        if self.cache.signed_in_cookie.search(environ.get("HTTP_COOKIE", "")):
            return None
        return "|".join(
            (
                environ.get("wsgi.url_scheme", ""),
                environ.get("HTTP_HOST", ""),
                environ.get("SCRIPT_NAME", ""),
                environ.get("PATH_INFO", ""),
                environ.get("QUERY_STRING", ""),
            )
        )

    def __call__(self, environ: dict, start_response):
        key = self.cache_key(environ)
        # Taken before the view reads anything: a write committed meanwhile makes it stale.
        generation = self.cache.generation() if key is not None else None
        if generation is None:
            return self.wsgi_app(environ, start_response)
        page = self.cache.get(key, generation)
        if page is not None:
            return self.serve(page, environ, start_response)
        environ[SLOT] = slot = {"storable": False}
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, capture)
        if not slot["storable"] or not captured.get("status", "").startswith("200 "):
            return body
        headers = captured["headers"]
        if any(name.lower() == "set-cookie" for name, _ in headers):
            return body
        try:
            data = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        kept = tuple((n, v) for n, v in headers if n.lower() not in PER_RESPONSE_HEADERS)
        self.cache.put(key, CachedPage(generation, time.monotonic(), 200, kept, data))
        return [data]

    def serve(self, page: CachedPage, environ: dict, start_response):
        started = perf_counter()
        request_id = request_id_for(environ, self.trusted_proxies)
        headers = [*page.headers, (REQUEST_ID_HEADER, request_id), (HIT_HEADER, "HIT")]
        etag = next((value for name, value in page.headers if name.lower() == "etag"), None)
        if etag and etag_matches(environ.get("HTTP_IF_NONE_MATCH", ""), etag):
            status, body = 304, b""
            headers = [(n, v) for n, v in headers if n.lower() not in ENTITY_HEADERS]
        else:
            status, body = 200, page.body
            headers.append(("Content-Length", str(len(body))))
        start_response("304 Not Modified" if status == 304 else "200 OK", headers)
        log_request(
            "GET",
            environ.get("PATH_INFO", ""),
            status,
            started,
            environ.get("REMOTE_ADDR"),
            request_id,
        )
        return [body]


def etag_matches(if_none_match: str, etag: str) -> bool:
    """If-None-Match's weak comparison: any listed tag (or *) with the same opaque value."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in if_none_match.split(","))


def mark_storable(response: Response) -> Response:
    """after_request: tell the middleware whether this page holds nothing of its visitor."""
    slot = request.environ.get(SLOT)
    if slot is not None:
        slot["storable"] = (
            request.blueprint in CACHEABLE_BLUEPRINTS
            and request.endpoint not in NEVER_CACHED_ENDPOINTS
            and not request.path.startswith(PRIVATE_PREFIXES)
            and is_storable(response)
        )
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


def note_change(session, kind: str) -> None:
    """Remember what this transaction changed: "content" outranks "seats"."""
    if session.info.get(CHANGED) != "content":
        session.info[CHANGED] = kind


def change_kind(session, instance) -> str | None:
    """What a flushed row means for public pages: nothing, seat counts only, or content."""
    table = getattr(type(instance), "__table__", None)
    if table is None or table.name not in CONTENT_TABLES:
        return None
    if table.name in SEAT_TABLES:
        return "seats"
    if table.name == "event" and instance in session.dirty:
        state = inspect(instance)
        changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
        if changed <= SEAT_COLUMNS:
            return "seats"
    return "content"


def note_content_write(session, *args) -> None:
    """after_flush: remember that this transaction changed something public."""
    for instance in (*session.new, *session.dirty, *session.deleted):
        kind = change_kind(session, instance)
        if kind is not None:
            note_change(session, kind)
            if kind == "content":
                return


def note_content_statement(state) -> None:
    """do_orm_execute: bulk UPDATE/INSERT/DELETE statements (seat counters) change content."""
    statement = state.statement
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(statement, "table", None)
        if table is None or table.name in CONTENT_TABLES:
            note_change(state.session, statement_kind(statement, table))
    elif isinstance(statement, TextClause):
        # Hand-written SQL: assume the worst if it writes at all.
        verb = statement.text.lstrip()[:6].upper()
        if verb in ("UPDATE", "INSERT", "DELETE"):
            note_change(state.session, "content")


def statement_kind(statement, table) -> str:
    if table is not None and table.name in SEAT_TABLES:
        return "seats"
    if table is not None and table.name == "event" and statement.is_update:
        # The SET clause (private in SQLAlchemy, hence the care): seat counters only?
        columns = {getattr(key, "key", key) for key in getattr(statement, "_values", None) or ()}
        if columns and columns <= SEAT_COLUMNS:
            return "seats"
    return "content"


def bump_after_commit(session) -> None:
    """after_commit: the change is visible to everyone now, so stored pages are stale."""
    kind = session.info.pop(CHANGED, None)
    if kind is None or not has_app_context():
        return
    cache = current_app.extensions.get("page_cache")
    if cache is not None:
        # An edit shows at once here; a seat count, like any change made elsewhere, at the next
        # check (a sign-up rush would otherwise empty this process's cache with every commit).
        cache.bump(at_once=kind == "content")


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
    cache = PageCache(
        generation_store(app),
        max_age=max_age,
        check_interval=float(app.config.get("PAGE_CACHE_CHECK_SECONDS", 1.0)),
        max_entries=int(app.config.get("PAGE_CACHE_MAX_ENTRIES", 500)),
    )
    names = (re.escape(app.config["SESSION_COOKIE_NAME"]), re.escape(REMEMBER_COOKIE))
    # A visitor with either cookie may see something of their own: never a cached page.
    cache.signed_in_cookie = re.compile(rf"(?:^|[;,]\s*)(?:{'|'.join(names)})=")
    app.extensions["page_cache"] = cache
    listen_for_writes()
    app.after_request(mark_storable)
    from app import form_cache  # (here: it imports the registration blueprint's form)

    form_cache.register(app)
    # Inside ProxyFix when there is one, so the URL and client address are the real ones.
    outer = app.wsgi_app
    if isinstance(outer, ProxyFix):
        outer.app = PageCacheMiddleware(outer.app, app, cache)
    else:
        app.wsgi_app = PageCacheMiddleware(outer, app, cache)
