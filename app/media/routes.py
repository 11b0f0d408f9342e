"""Serving variants: /media/<sha256>.<ext>. The name is the content's hash, so a response
never changes and is cached for a year as immutable; the ETag is the hash too."""

from flask import Blueprint, Response, abort, request
from sqlalchemy import select

from app.extensions import db
from app.media.formats import CONTENT_TYPES, EXTENSIONS, URL_PREFIX
from app.media.storage import read_blob
from app.models import MediaBlob, MediaVariant

bp = Blueprint("media", __name__)

IMMUTABLE = "public, max-age=31536000, immutable"
FORMAT_OF_EXTENSION = {extension: fmt for fmt, extension in EXTENSIONS.items()}


@bp.get(URL_PREFIX + "<filename>")
def file(filename: str):
    sha256, _, extension = filename.partition(".")
    fmt = FORMAT_OF_EXTENSION.get(extension)
    if fmt is None or len(sha256) != 64:
        abort(404)
    # Only variants are served: an original (with its metadata) is never reachable.
    blob = db.session.scalar(
        select(MediaBlob)
        .join(MediaVariant, MediaVariant.sha256 == MediaBlob.sha256)
        .where(MediaBlob.sha256 == sha256, MediaVariant.format == fmt)
        .limit(1)
    )
    data = read_blob(blob) if blob is not None else None
    if data is None:
        abort(404)
    response = Response(data, mimetype=CONTENT_TYPES[fmt])
    response.headers["Cache-Control"] = IMMUTABLE
    response.set_etag(sha256)
    return response.make_conditional(request)
