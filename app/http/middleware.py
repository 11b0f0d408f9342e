"""Serving kept pages: a WSGI middleware answers hits before Flask runs, and an after_request
hook tells it which freshly rendered pages it may keep.

Only 200 GET pages of the public blueprints are stored, under a query string the page reads
(page_store.QUERY_PARAMETERS), from renders that set no cookie and made no CSRF token, for a
visitor with nothing in the session. A visitor holding a session (or remember-me) cookie, as
Werkzeug parses the Cookie header, is given, and may fill, kept pages only of the blueprints
whose views and templates never read the visitor (SAME_FOR_EVERY_VISITOR: articles, events,
programmes, speakers, feeds, images; tests/test_page_cache.py renders each for a staff member
with a message waiting and compares the bytes), and the view for everything else. So a page
holding a CSRF token is never kept as it is: the registration form is kept apart, and a new
visitor gets a copy with a session, token and stamp of their own (app/http/form_copy.py),
served here like any hit. Flask's after_request hooks have already shaped
a stored response (security headers, ETag), so a hit is byte-for-byte the page Flask would
send, with a fresh X-Request-ID. Rate limits are not consulted for hits: no
public page has one (limits are on POSTs and sign-in).
"""

import time
from time import perf_counter

from flask import Flask, Response, request
from werkzeug.http import parse_cookie
from werkzeug.middleware.proxy_fix import ProxyFix

from app.http import form_copy
from app.http.form_copy import CachedForm
from app.http.page_store import (
    PER_RESPONSE_HEADERS,
    SLOT,
    CachedPage,
    PageCache,
    is_kept_query,
)
from app.http.private import (
    has_visitor_cookie,
    is_private_path,
    made_for_this_visitor,
    shows_csrf_token,
)
from app.observability import REQUEST_ID_HEADER, log_request, request_id_for

CACHEABLE_BLUEPRINTS = frozenset({"site", "registration", "media"})
# Views that read no session, signed-in user, flashed message or CSRF token, nor do their
# templates: their page is the same for a staff member or an attendee as for anyone. (Not the
# registration blueprint: its form and pages are made for their visitor.)
SAME_FOR_EVERY_VISITOR = frozenset({"site", "media"})
NEVER_CACHED_ENDPOINTS = frozenset({"site.healthz"})
CACHEABLE_MIMETYPES = frozenset(
    {"text/html", "application/atom+xml", "application/xml", "text/plain", "text/calendar"}
    # Library images (app/media/routes.py): the same for everyone, kept like pages.
    | {"image/avif", "image/webp", "image/jpeg", "image/png"}
)
MAX_BODY_BYTES = 512 * 1024
HIT_HEADER = "X-Cache"
# What a 304 leaves out: it describes the page, it does not carry it.
ENTITY_HEADERS = frozenset({"content-length", "content-type", "content-encoding"})


class PageCacheMiddleware:
    """WSGI middleware, inside ProxyFix: answers cache hits without entering Flask at all
    (that is where the time goes), and keeps what Flask marked storable on the way out.

    A hit gets the stored status, body and headers (security headers, ETag and all, exactly
    as the after_request hooks made them), a new X-Request-ID and its own log line; an
    If-None-Match naming the stored ETag gets a 304, as Flask would give.
    """

    def __init__(self, wsgi_app, app: Flask, cache: PageCache) -> None:
        self.wsgi_app = wsgi_app
        self.cache = cache
        self.trusted_proxies = app.config["TRUSTED_PROXIES"]

    def cache_key(self, environ: dict) -> str | None:
        """The URL to cache this request under; None when it must be rendered for its visitor."""
        if environ.get("REQUEST_METHOD") != "GET" or "HTTP_AUTHORIZATION" in environ:
            return None
        # Not the Host header: no page depends on it (absolute links come from SITE_URL), and
        # a key per made-up Host would let junk requests push every real page out.
        return "|".join(
            (
                environ.get("wsgi.url_scheme", ""),
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
        # Parsed as Flask will parse it (a regex over the header missed `session =x`).
        cookie_header = environ.get("HTTP_COOKIE", "")
        holder = has_visitor_cookie(parse_cookie(cookie_header), self.cache.visitor_cookies)
        if page is not None and may_serve(page, holder, cookie_header):
            return self.serve(page, environ, start_response)
        environ[SLOT] = slot = {"storable": False, "holder": holder}
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, capture)
        if not captured.get("status", "").startswith("200 "):
            return body
        rendered = slot.get(form_copy.RENDERED)
        if rendered is not None:  # the registration form, for a new visitor
            kept_form = form_copy.kept_form(rendered, generation, captured["headers"])
            if kept_form is not None:
                self.cache.put(key, kept_form)
            return body
        if not slot["storable"]:
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
        page = CachedPage(generation, time.monotonic(), 200, kept, data, slot["same_for_everyone"])
        self.cache.put(key, page)
        return [data]

    def serve(self, page: CachedPage | CachedForm, environ: dict, start_response):
        started = perf_counter()
        request_id = request_id_for(environ, self.trusted_proxies)
        kept_headers, body = page.response_parts()
        headers = [*kept_headers, (REQUEST_ID_HEADER, request_id), (HIT_HEADER, "HIT")]
        etag = next((value for name, value in kept_headers if name.lower() == "etag"), None)
        if etag and etag_matches(environ.get("HTTP_IF_NONE_MATCH", ""), etag):
            status, body = 304, b""
            headers = [(n, v) for n, v in headers if n.lower() not in ENTITY_HEADERS]
        else:
            status = 200
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


def may_serve(page: CachedPage | CachedForm, holder: bool, cookie_header: str) -> bool:
    """Whether a kept page may answer this request: a reading page the same for everyone to
    anyone, the registration form's copy only to a new visitor, the rest to non-holders."""
    if isinstance(page, CachedForm):
        return not holder and page.may_serve(cookie_header)
    return page.same_for_everyone or not holder


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
        same_for_everyone = request.blueprint in SAME_FOR_EVERY_VISITOR
        slot["same_for_everyone"] = same_for_everyone
        slot["storable"] = (
            request.blueprint in CACHEABLE_BLUEPRINTS
            and request.endpoint not in NEVER_CACHED_ENDPOINTS
            and not is_private_path(request.path)
            and is_kept_query(request.endpoint, request.query_string)
            # A session holder's render is kept only where it cannot hold their session.
            and (same_for_everyone or not slot["holder"])
            and is_storable(response, holder=slot["holder"])
        )
    return response


def is_storable(response: Response, holder: bool = False) -> bool:
    """Whether `response` may be kept. For a `holder` of a session on a page that never reads
    it (SAME_FOR_EVERY_VISITOR), what their session holds is not in the page, so only a
    cookie being set or a CSRF token being made stops it; for anyone else, anything at all
    in the session (a page that put it there) does too."""
    made_for_them = shows_csrf_token(response) if holder else made_for_this_visitor(response)
    cache_control = response.headers.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.is_streamed
        and not response.direct_passthrough
        and response.mimetype in CACHEABLE_MIMETYPES
        and "no-store" not in cache_control
        and "private" not in cache_control
        and not made_for_them
        and (response.content_length or 0) <= MAX_BODY_BYTES
    )


def install(app: Flask, cache: PageCache) -> None:
    """Wrap the app in the middleware, inside ProxyFix when there is one, so the URL and the
    client address it sees are the real ones."""
    outer = app.wsgi_app
    if isinstance(outer, ProxyFix):
        outer.app = PageCacheMiddleware(outer.app, app, cache)
    else:
        app.wsgi_app = PageCacheMiddleware(outer, app, cache)
