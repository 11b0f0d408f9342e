"""Content-addressed blobs: in the database by default (works when several hosts serve the
site with no shared disk), or as files under MEDIA_DIR. Either way the row in media_blob is
written in the caller's transaction, so a refused or failed upload leaves no row behind; a
file written for a transaction that then rolls back is unreferenced and harmless (the same
bytes would be written to the same name again)."""

import hashlib
import os
import tempfile
from pathlib import Path

from flask import current_app
from sqlalchemy import exists, or_, select

from app.extensions import db
from app.models import MediaBlob, MediaItem, MediaVariant


def media_dir() -> Path | None:
    value = current_app.config.get("MEDIA_DIR") or ""
    return Path(value) if value else None


def blob_path(directory: Path, sha256: str) -> Path:
    return directory / sha256[:2] / sha256


def put_blob(data: bytes, content_type: str) -> str:
    """Store `data` once under its sha256 (in this transaction) and return the hash; flushes."""
    sha256 = hashlib.sha256(data).hexdigest()
    directory = media_dir()
    if directory is not None:
        write_file(blob_path(directory, sha256), data)
    if db.session.get(MediaBlob, sha256) is not None:
        return sha256
    db.session.add(
        MediaBlob(
            sha256=sha256,
            content_type=content_type,
            size=len(data),
            data=None if directory is not None else data,
        )
    )
    db.session.flush()
    return sha256


def write_file(path: Path, data: bytes) -> None:
    """Write atomically: another process never reads half a file."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_blob(blob: MediaBlob) -> bytes | None:
    """The blob's bytes, from the row or from MEDIA_DIR; None when the file is gone."""
    if blob.data is not None:
        return blob.data
    directory = media_dir()
    if directory is None:
        return None
    try:
        return blob_path(directory, blob.sha256).read_bytes()
    except FileNotFoundError:
        return None


def delete_unused_blobs(hashes: set[str]) -> None:
    """Remove the blobs among `hashes` that no item or variant uses any more; flushes."""
    db.session.flush()
    directory = media_dir()
    for sha256 in hashes:
        in_use = db.session.scalar(
            select(
                or_(
                    exists().where(MediaVariant.sha256 == sha256),
                    exists().where(MediaItem.original_sha256 == sha256),
                )
            )
        )
        if in_use:
            continue
        blob = db.session.get(MediaBlob, sha256)
        if blob is not None:
            db.session.delete(blob)
        if directory is not None:
            # Removed before the commit: at worst a rollback leaves a row whose file is gone,
            # which serves as 404 and is re-written by the next upload of the same bytes.
            blob_path(directory, sha256).unlink(missing_ok=True)
    db.session.flush()
