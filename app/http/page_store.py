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
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from flask import Flask
from flask_login.config import COOKIE_NAME

from app.http.generation import STORE_ERRORS, generation_store

log = logging.getLogger("northlight.page_cache")

# Where the app keeps its PageCache (app.extensions[EXTENSION]).
EXTENSION = "page_cache"
# Flask-Login's "remember me" cookie: its holder may be signed in even without a session.
REMEMBER_COOKIE = COOKIE_NAME


@dataclass(frozen=True)
class CachedPage:
    generation: str
    stored_at: float
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


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
        self.signed_in_cookie = re.compile(r"(?!)")  # set by page_cache_for() from the config

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
    names = (re.escape(app.config["SESSION_COOKIE_NAME"]), re.escape(REMEMBER_COOKIE))
    # A visitor with either cookie may see something of their own: never a cached page.
    cache.signed_in_cookie = re.compile(rf"(?:^|[;,]\s*)(?:{'|'.join(names)})=")
    return cache
