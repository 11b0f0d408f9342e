"""The pages one process keeps: by URL, least recently used dropped first, each valid while
the content generation (app/http/generation.py) it was rendered under is current.

Rendering a page costs a few SQL queries and a template; a launch email sends thousands of
people to the same few pages. So each process keeps the public pages it rendered for
anonymous visitors, and drops them when the generation changes.

Staleness bounds, for public pages served to anonymous visitors:

- an edit (article, event details, author, tag) made by this process: none, the next
  request renders afresh;
- an edit made by another process, and any seat count (sign-ups, cancellations): at most
  PAGE_CACHE_CHECK_SECONDS (1 s), the interval at which each process re-reads the shared
  token. Seat changes do not empty even the writing process's cache at once: in a sign-up
  rush that would happen with every commit, and the page would never be cached;
- a change that only the clock makes (a scheduled article appearing, registration
  closing): at most PAGE_CACHE_SECONDS (60 s), the longest a page is kept at all.

Seat counts shown on a cached event page may therefore lag by a second; the registration
form always takes seats with the real count.
"""

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from flask import Flask

from app.http.generation import STORE_ERRORS, generation_store
from app.http.private import visitor_cookie_names

log = logging.getLogger("northlight.page_cache")

# Where the app keeps its PageCache (app.extensions[EXTENSION]).
EXTENSION = "page_cache"
# Where the middleware and the after_request hooks pass a request's cache slot (its environ).
SLOT = "northlight.page_cache"
# Headers that belong to one response, not to the page: they are made afresh each time.
PER_RESPONSE_HEADERS = frozenset({"set-cookie", "date", "content-length", "x-request-id"})
# The query parameters public pages read, by endpoint, each with the type its view reads it
# as (request.args.get(name, type=...)). Everything in one place: a view that starts reading
# a parameter adds it here, or pages with it are simply rendered every time.
QUERY_PARAMETERS: dict[str, dict[str, Callable[[str], object]]] = {
    "site.blog": {"page": int},
}


@dataclass(frozen=True)
class CachedPage:
    generation: str
    stored_at: float
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    # Rendered by a view that never reads its visitor (middleware.SAME_FOR_EVERY_VISITOR), so a
    # visitor holding a session is given it too: their own render would be the same bytes.
    same_for_everyone: bool = False

    def response_parts(self) -> tuple[tuple[tuple[str, str], ...], bytes]:
        """The stored headers and body, the same for every request."""
        return self.headers, self.body


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
        # A visitor holding one of these cookies gets the view (set from the app's config).
        self.visitor_cookies: frozenset[str] = frozenset()

    def generation(self) -> str | None:
        """The current generation, re-read at most every check_interval; None if unknown."""
        now = time.monotonic()
        if now - self._checked_at >= self.check_interval:
            try:
                self._generation = self.store.read()
            except STORE_ERRORS as error:
                self._generation = None
                self._log_failure("read", error)
            self._checked_at = now
        return self._generation

    def bump(self, at_once: bool = True) -> None:
        """Content changed: pages stored so far, in every process, are now stale. This
        process drops its own at once, or (at_once=False) at its next check like the others."""
        try:
            token = self.store.bump()
        except STORE_ERRORS as error:
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


def page_cache_for(app: Flask) -> PageCache | None:
    """The app's page cache from its settings; None when PAGE_CACHE_SECONDS is 0 (off)."""
    max_age = float(app.config.get("PAGE_CACHE_SECONDS", 60))
    if max_age <= 0:
        return None
    cache = PageCache(
        generation_store(app),
        max_age=max_age,
        check_interval=float(app.config.get("PAGE_CACHE_CHECK_SECONDS", 1.0)),
        max_entries=int(app.config.get("PAGE_CACHE_MAX_ENTRIES", 500)),
    )
    cache.visitor_cookies = visitor_cookie_names(app)
    return cache


def is_kept_query(endpoint: str | None, query_string: bytes) -> bool:
    """Whether a page may be kept under this query string: none, or only parameters its view
    reads, each once, written the one way its view would read back (page=2, not page=02).

    Any other query string is rendered for its request and not kept, rather than kept under
    a key with the unknown parameters dropped: the middleware looks pages up before routing,
    so it cannot know what a view reads, and a dropped parameter that a view did read would
    serve the wrong page. Junk (?junk=N, ?page=0002) then costs a render each, as it would
    with no cache, but can no longer push every kept page out (PAGE_CACHE_MAX_ENTRIES); the
    pages that may be kept are bounded by the site's content, not by what visitors type.
    """
    if not query_string:
        return True
    readers = QUERY_PARAMETERS.get(endpoint or "", {})
    try:
        pairs = parse_qsl(query_string.decode("ascii"), keep_blank_values=True, strict_parsing=True)
        canonical = [(name, str(readers[name](value))) for name, value in pairs]
    except (KeyError, ValueError, TypeError, UnicodeDecodeError):
        return False
    names = [name for name, _ in pairs]
    return len(set(names)) == len(names) and urlencode(canonical).encode() == query_string
