"""HTTP caching: validators for public pages, a year for hashed static files, none for private."""

from urllib.parse import parse_qs, urlsplit

from flask import Response, request

from app.http.private import is_private_path, shows_csrf_token
from app.templating import static_url

# Bodies worth an ETag: a repeat visit costs a 304 instead of the whole page.
VALIDATED_MIMETYPES = {"text/html", "application/atom+xml", "application/xml", "text/calendar"}

IMMUTABLE = "public, max-age=31536000, immutable"


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
    if shows_csrf_token(response):
        # The page may hold a per-visitor token (a form's CSRF field): no shared cache, no ETag.
        # (A session alone does not: a reading page is the same for everyone, 304s and all.)
        response.headers.setdefault("Cache-Control", "private, no-cache")
        return response
    # A view (or the page cache) may have chosen a lifetime; otherwise always revalidate.
    response.headers.setdefault("Cache-Control", "no-cache")
    response.add_etag(overwrite=False)
    return response.make_conditional(request)


def apply_caching(response: Response) -> Response:
    """after_request: a year for hashed static files, no-store for private pages, ETags."""
    if request.endpoint == "static":
        return cache_static_file(response)
    if is_private_path(request.path):
        response.headers["Cache-Control"] = "no-store"
        return response
    return validate_page(response)
