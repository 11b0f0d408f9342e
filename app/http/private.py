"""What belongs to one visitor, and so never enters a shared cache: one answer for the HTTP
caching rules (app/http/caching.py) and the page cache (app/http/middleware.py)."""

from collections.abc import Mapping

from flask import Flask, Response, current_app, g, session
from flask_login.config import COOKIE_NAME

# The staff area and an attendee's manage pages are about one person. Whole path segments:
# /staff, /staff/... and /registrations/... are private, a public /staffing would not be.
PRIVATE_AREAS = ("/staff", "/registrations")


def is_private_path(path: str) -> bool:
    """Whether the page at `path` is about one person (staff area, an attendee's pages)."""
    return any(path == area or path.startswith(area + "/") for area in PRIVATE_AREAS)


def visitor_cookie_names(app: Flask) -> frozenset[str]:
    """The cookies whose holder may see something of their own: the session, remember-me."""
    remember = app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)
    return frozenset({app.config["SESSION_COOKIE_NAME"], remember})


def has_visitor_cookie(cookies: Mapping[str, str], names: frozenset[str]) -> bool:
    """Whether a request carries any of those cookies, in `cookies` as Werkzeug parses them
    (so as Flask and Flask-Login will read them: `session =x` is the session). Present at all
    is enough, even empty or not validly signed: such a visitor gets the view."""
    return any(name in cookies for name in names)


def sets_cookie(response: Response) -> bool:
    """Whether this response will carry a cookie (the CSRF session on a form, a sign-in)."""
    # The session cookie is written after every after_request hook, so ask whether it will be.
    # (Not `session.accessed`: Flask 3.1 sets it on any touch, Flask-Login touches it always.)
    will_save_session = current_app.session_interface.should_set_cookie(current_app, session)
    return "Set-Cookie" in response.headers or will_save_session


def shows_csrf_token(response: Response) -> bool:
    """Whether this response may show a token of its visitor's: it sets a cookie, or Flask-WTF
    made a CSRF token during the request (a form on the page), even for an existing session."""
    csrf_field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    return sets_cookie(response) or csrf_field in g


def made_for_this_visitor(response: Response) -> bool:
    """Whether this response was made for its visitor: it may show a token of theirs, or the
    session holds anything at all (a staff member's, a form's CSRF key).

    Neither depends on how the request's cookies were read: a session Flask found in a cookie
    header the page cache took for none still keeps its page out of every shared copy.
    """
    return shows_csrf_token(response) or bool(session)
