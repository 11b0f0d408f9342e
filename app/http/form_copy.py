"""The registration form from the page cache, with its per-visitor parts made fresh.

A launch email sends most visitors to the form. For a new visitor the form page is the same
for everyone but two values: the CSRF token (tied to the session Flask-WTF creates for the
visitor) and the signed render stamp (the anti-bot minimum fill time). Rendering the rest
costs milliseconds of SQL and WTForms. So the rendered page is kept with those two values
replaced by markers, and each new visitor gets a copy with a token from a new session of
their own and a stamp of the current time, exactly what the view would have made.

Only visitors without a session cookie are served this way (anyone else gets the view),
only GETs, and the copy is dropped like every cached page (app/http/page_store.py): seat counts
within a second, edits at once, time-based changes within PAGE_CACHE_SECONDS. The POST
always runs the view, which checks the token, the stamp and the real seat count.
"""

import re
import time
from dataclasses import dataclass

from flask import Response, current_app, g, request, session
from flask_wtf.csrf import generate_csrf

from app.http.page_store import EXTENSION, is_kept_query
from app.http.private import has_visitor_cookie
from app.registration.forms import stamp, stamp_serializer

FORM_ENDPOINT = "registration.register"
# NUL never occurs in a rendered page, so these cannot collide with real text.
CSRF_MARK = "\x00northlight-csrf\x00"
STAMP_MARK = "\x00northlight-stamp\x00"
STAMP_FIELD = re.compile(r'(name="rendered"[^>]*value=")([^"]+)(")')
SLOT = "northlight_form_cache_slot"


@dataclass(frozen=True)
class CachedForm:
    generation: str
    stored_at: float
    headers: tuple[tuple[str, str], ...]
    template: str
    event_id: int


def cache_key(cache) -> str | None:
    """Where this request's form is kept; None when the view must render it."""
    if request.method != "GET" or request.endpoint != FORM_ENDPOINT:
        return None
    if has_visitor_cookie(request.cookies, cache.visitor_cookies) or session:
        return None
    if not is_kept_query(request.endpoint, request.query_string):
        return None  # ?junk=N would otherwise push every kept page out
    return "form|" + request.url


def serve_cached_form():
    """before_request: a kept form with a fresh CSRF token (new session) and render stamp."""
    cache = current_app.extensions[EXTENSION]
    key = cache_key(cache)
    if key is None:
        return None
    generation = cache.generation()
    if generation is None:
        return None
    kept = cache.get(key, generation)
    if kept is None:
        setattr(g, SLOT, (key, generation))
        return None
    page = kept.template.replace(CSRF_MARK, generate_csrf(), 1)
    page = page.replace(STAMP_MARK, stamp(kept.event_id), 1)
    response = Response(page, headers=kept.headers)
    response.headers["X-Cache"] = "HIT"
    return response


def keep_rendered_form(response: Response) -> Response:
    """after_request: keep the form just rendered, its two per-visitor values marked."""
    slot = g.pop(SLOT, None)
    if slot is None or response.status_code != 200 or response.mimetype != "text/html":
        return response
    if response.is_streamed or response.direct_passthrough:
        return response
    csrf_field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    token = g.get(csrf_field)
    page = response.get_data(as_text=True)
    match = STAMP_FIELD.search(page)
    # Anything unexpected (no form, a token shown twice, the view kept something else of the
    # visitor in their session, which a copy would not renew): just do not keep it.
    if not token or match is None or page.count(token) != 1 or "\x00" in page:
        return response
    if set(session) != {csrf_field}:
        return response
    try:
        event_id, _ = stamp_serializer().loads(match.group(2))
    except Exception:  # a stamp we cannot read is one we cannot renew
        return response
    template = STAMP_FIELD.sub(rf"\g<1>{STAMP_MARK}\g<3>", page.replace(token, CSRF_MARK), 1)
    headers = tuple(
        (name, value)
        for name, value in response.headers.items()
        if name.lower() not in ("content-length", "set-cookie", "date", "x-request-id")
    )
    key, generation = slot
    kept = CachedForm(generation, time.monotonic(), headers, template, int(event_id))
    current_app.extensions[EXTENSION].put(key, kept)
    return response
