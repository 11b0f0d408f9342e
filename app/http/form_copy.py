"""The registration form from the page cache, with its per-visitor parts made fresh.

A launch email sends most visitors to the form. For a new visitor the form page is the same
for everyone but two values: the CSRF token (tied to the session Flask-WTF creates for the
visitor) and the signed render stamp (the anti-bot minimum fill time). Rendering the rest
costs milliseconds of SQL and WTForms. So the rendered page is kept with those two values
replaced by markers, and each new visitor gets a copy with a token from a new session of
their own and a stamp of the current time, exactly what the view would have made.

The copy is served by the page-cache middleware (app/http/middleware.py) before Flask runs,
like every kept page: a request context, the rate limiter's bookkeeping and the response
hooks cost more than the page itself. So what Flask does per new visitor is done here with
the same signers, built once per kept copy: a random CSRF secret as Flask-WTF makes one, its
token signed as Flask-WTF signs it, the session cookie signed by Flask's own session
serializer with the attributes Flask's Set-Cookie had, and the stamp signed by the form's
stamp serializer. Before a copy is kept, those signers must read back the token, the session
cookie and the stamp the view just made, or nothing is kept. Headers (security headers,
Cache-Control: private, Vary: Cookie) are the ones Flask's hooks gave the render.

Only visitors sending no session cookie are served this way (anyone else gets the view),
only GETs, and the copy is dropped like every cached page (app/http/page_store.py): seat
counts within a second, edits at once, time-based changes within PAGE_CACHE_SECONDS. The
POST always runs the view, which checks the token, the stamp and the real seat count.
"""

import hashlib
import os
import re
import time
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.http.page_store import PER_RESPONSE_HEADERS, SLOT, is_kept_query
from app.registration.forms import stamp, stamp_serializer_for

FORM_ENDPOINT = "registration.register"
# NUL never occurs in a rendered page, so these cannot collide with real text.
CSRF_MARK = "\x00northlight-csrf\x00"
STAMP_MARK = "\x00northlight-stamp\x00"
STAMP_FIELD = re.compile(r'(name="rendered"[^>]*value=")([^"]+)(")')
# Flask-WTF's salt for CSRF tokens (flask_wtf.csrf.generate_csrf and validate_csrf).
CSRF_SALT = "wtf-csrf-token"
# Where the after_request hook hands the middleware a form it may keep (in its slot).
RENDERED = "rendered_form"


@dataclass(frozen=True)
class Signers:
    """What signs a new visitor's session, CSRF token and stamp, from the app's settings."""

    session: URLSafeTimedSerializer  # Flask's session cookie
    csrf: URLSafeTimedSerializer  # Flask-WTF's tokens
    secret_key: str  # the form's render stamp (app.registration.forms.stamp_serializer_for)
    csrf_field: str  # the session key holding the CSRF secret
    cookie_name: str  # the session cookie


@dataclass(frozen=True)
class RenderedForm:
    """A form the view just rendered for a new visitor, its per-visitor values marked."""

    template: bytes
    event_id: int
    signers: Signers
    csrf_secret: str  # this visitor's, to recognise their session cookie in the headers


@dataclass(frozen=True)
class CachedForm:
    generation: str
    stored_at: float
    headers: tuple[tuple[str, str], ...]  # as Flask's hooks made them, minus per-response ones
    cookie: tuple[str, str]  # the Set-Cookie value before and after the session's value
    template: bytes
    event_id: int
    signers: Signers

    def may_serve(self, cookie_header: str) -> bool:
        """Whether a copy may go to a request with this Cookie header: none naming the session
        at all, even in a form Werkzeug would not read (such a visitor gets the view)."""
        return self.signers.cookie_name not in cookie_header

    def response_parts(self) -> tuple[list[tuple[str, str]], bytes]:
        """Headers and page for one new visitor: a session, CSRF token and stamp of their own."""
        signers = self.signers
        secret = new_csrf_secret()
        token = signers.csrf.dumps(secret)
        rendered = stamp(self.event_id, stamp_serializer_for(signers.secret_key, secret))
        page = self.template.replace(CSRF_MARK.encode(), token.encode(), 1)
        page = page.replace(STAMP_MARK.encode(), rendered.encode(), 1)
        before, after = self.cookie
        cookie = before + signers.session.dumps({signers.csrf_field: secret}) + after
        return [*self.headers, ("Set-Cookie", cookie)], page


def new_csrf_secret() -> str:
    """A session's CSRF secret, made as Flask-WTF's generate_csrf makes one."""
    return hashlib.sha1(os.urandom(64)).hexdigest()


def signers_for(app: Flask) -> Signers | None:
    """The app's signers, as Flask and Flask-WTF build them per request; None when sessions are
    not Flask's signed cookies (a copy could not make one)."""
    interface = app.session_interface
    if type(interface) is not SecureCookieSessionInterface:
        return None
    session_serializer = interface.get_signing_serializer(app)
    if session_serializer is None:
        return None
    csrf_key = app.config.get("WTF_CSRF_SECRET_KEY", app.secret_key)
    return Signers(
        session=session_serializer,
        csrf=URLSafeTimedSerializer(csrf_key, salt=CSRF_SALT),
        secret_key=app.config["SECRET_KEY"],
        csrf_field=app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"),
        cookie_name=interface.get_cookie_name(app),
    )


def keep_rendered_form(response: Response) -> Response:
    """after_request: hand the middleware the form just rendered for a new visitor, its two
    per-visitor values marked, for it to keep once it has seen the final headers."""
    slot = request.environ.get(SLOT)
    if slot is None or slot["holder"] or request.endpoint != FORM_ENDPOINT:
        return response
    if request.method != "GET" or not is_kept_query(request.endpoint, request.query_string):
        return response  # ?junk=N would otherwise push every kept page out
    if response.status_code != 200 or response.mimetype != "text/html":
        return response
    if response.is_streamed or response.direct_passthrough:
        return response
    rendered = rendered_form(response)
    if rendered is not None:
        slot[RENDERED] = rendered
    return response


def rendered_form(response: Response) -> RenderedForm | None:
    """The page marked for copying; None if anything is unexpected (no form, a token shown
    twice, the view kept something else of the visitor in their session, which a copy would
    not renew, signers that do not read back what the view made)."""
    signers = signers_for(current_app)
    if signers is None:
        return None
    token = g.get(signers.csrf_field)
    secret = session.get(signers.csrf_field)
    page = response.get_data(as_text=True)
    match = STAMP_FIELD.search(page)
    if not token or not secret or match is None or page.count(token) != 1 or "\x00" in page:
        return None
    if set(session) != {signers.csrf_field}:
        return None
    try:
        event_id, _ = stamp_serializer_for(signers.secret_key, secret).loads(match.group(2))
        if signers.csrf.loads(token) != secret:
            return None
    except (BadSignature, TypeError, ValueError):  # a stamp we cannot read we cannot renew
        return None
    template = STAMP_FIELD.sub(rf"\g<1>{STAMP_MARK}\g<3>", page.replace(token, CSRF_MARK), 1)
    return RenderedForm(template.encode(), int(event_id), signers, secret)


def kept_form(
    rendered: RenderedForm, generation: str, headers: list[tuple[str, str]]
) -> CachedForm | None:
    """The copy to keep, given the headers Flask sent with the render; None unless the only
    cookie they set is this visitor's new session, signed as the copy will sign it."""
    cookies = [value for name, value in headers if name.lower() == "set-cookie"]
    prefix = rendered.signers.cookie_name + "="
    if len(cookies) != 1 or not cookies[0].startswith(prefix):
        return None
    value, separator, attributes = cookies[0].removeprefix(prefix).partition(";")
    try:
        contents = rendered.signers.session.loads(value)
    except BadSignature:
        return None
    if contents != {rendered.signers.csrf_field: rendered.csrf_secret}:
        return None
    return CachedForm(
        generation,
        time.monotonic(),
        tuple((n, v) for n, v in headers if n.lower() not in PER_RESPONSE_HEADERS),
        (prefix, separator + attributes),
        rendered.template,
        rendered.event_id,
        rendered.signers,
    )
