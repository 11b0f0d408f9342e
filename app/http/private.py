"""What belongs to one visitor, and so never enters a shared cache: one answer for the HTTP
caching rules (app/http/caching.py) and the page cache (app/http/middleware.py)."""

from flask import Response, current_app, session

# The staff area and an attendee's manage pages are about one person. Whole path segments:
# /staff, /staff/... and /registrations/... are private, a public /staffing would not be.
PRIVATE_AREAS = ("/staff", "/registrations")


def is_private_path(path: str) -> bool:
    """Whether the page at `path` is about one person (staff area, an attendee's pages)."""
    return any(path == area or path.startswith(area + "/") for area in PRIVATE_AREAS)


def sets_cookie(response: Response) -> bool:
    """Whether this response will carry a cookie (the CSRF session on a form, a sign-in)."""
    # The session cookie is written after every after_request hook, so ask whether it will be.
    # (Not `session.accessed`: Flask 3.1 sets it on any touch, Flask-Login touches it always.)
    will_save_session = current_app.session_interface.should_set_cookie(current_app, session)
    return "Set-Cookie" in response.headers or will_save_session
