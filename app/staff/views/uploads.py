"""What every view taking an image upload shares (the media library and the editors' "upload
a new one"): the raised body limit, the CSRF check made after it, and the files of a request.

Uploads are the only requests allowed past MAX_CONTENT_LENGTH (1 MB): these views raise the
limit for themselves to MEDIA_MAX_BYTES plus the form, before anything reads the body. They
are exempt from the app-wide CSRF hook only because that hook would read the body under the
1 MB limit first; they check the token themselves, right after raising the limit.
"""

from flask import request

from app.extensions import csrf
from app.media.library import Upload, upload_limit


def accept_large_body() -> str | None:
    """Raise this request's body limit to one upload's; a message when the body is larger
    (refused from Content-Length alone, before reading it). Then check the CSRF token.

    :raises CSRFError: the token is missing or wrong (400).
    """
    limit = upload_limit()
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        return (
            f"The upload is larger than {limit / 1_000_000:.0f} MB; upload fewer or smaller files."
        )
    csrf.protect()
    return None


def accept_editor_body() -> str | None:
    """For an editor with an "upload a new one" field: on POST, accept_large_body(); None on
    GET. The message when the body is too large to read."""
    if request.method != "POST":
        return None
    return accept_large_body()


def uploads_from(field_name: str = "file") -> list[Upload]:
    return [Upload(f.filename or "", f.stream) for f in request.files.getlist(field_name)]
