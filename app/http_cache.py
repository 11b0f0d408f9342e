"""HTTP caching: validators for public pages, a year for hashed static files, none for private."""

from urllib.parse import parse_qs, urlsplit

from flask import Flask, Response, current_app, request, session

from app.templating import static_url

# Pages about one person (staff area, an attendee's manage page) never enter any cache.
PRIVATE_PREFIXES = ("/staff/", "/registrations/")

# Bodies worth an ETag: a repeat visit costs a 304 instead of the whole page.
VALIDATED_MIMETYPES = {"text/html", "application/atom+xml", "application/xml"}

IMMUTABLE = "public, max-age=31536000, immutable"


def is_private_path(path: str) -> bool:
    return path == "/staff" or path.startswith(PRIVATE_PREFIXES)


def sets_cookie(response: Response) -> bool:
    """Whether this response will carry a cookie (the CSRF session on a form, a sign-in)."""
    # The session cookie is written after every after_request hook, so ask whether it will be.
    # (Reading `session.accessed` is no help: in Flask 3.1 touching the proxy sets it.)
    will_save_session = current_app.session_interface.should_set_cookie(current_app, session)
    return "Set-Cookie" in response.headers or will_save_session


def is_current_static_version(filename: str, version: str) -> bool:
    """Whether `version` is the content hash of the file being served now.

    During a deploy an old process may answer a new URL; caching that for a year would
    pin stale content, so only a matching hash is marked immutable.
    """
    query = parse_qs(urlsplit(static_url(filename)).query)
    return query.get("v") == [version]


def cache_static_file(response: Response) -> Response:
    version = request.args.get("v")
    filename = (request.view_args or {}).get("filename")
    if (
        version
        and filename
        and response.status_code in (200, 304)
        and is_current_static_version(filename, version)
    ):
        response.headers["Cache-Control"] = IMMUTABLE
    return response


def validate_page(response: Response) -> Response:
    """Give a public page an ETag and answer If-None-Match with 304 Not Modified."""
    if (
        request.method not in ("GET", "HEAD")
        or response.status_code != 200
        or response.mimetype not in VALIDATED_MIMETYPES
        or response.is_streamed
        or response.direct_passthrough
    ):
        return response
    if sets_cookie(response):
        # The page holds a per-visitor token (a form's CSRF field): no shared cache, no ETag.
        response.headers.setdefault("Cache-Control", "private, no-cache")
        return response
    # A view (or the page cache) may have chosen a lifetime; otherwise always revalidate.
    response.headers.setdefault("Cache-Control", "no-cache")
    response.add_etag(overwrite=False)
    return response.make_conditional(request)


def apply_caching(response: Response) -> Response:
    if request.endpoint == "static":
        return cache_static_file(response)
    if is_private_path(request.path):
        response.headers["Cache-Control"] = "no-store"
        return response
    return validate_page(response)


def register(app: Flask) -> None:
    app.after_request(apply_caching)
