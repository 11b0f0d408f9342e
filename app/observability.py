"""Request ids, one structured log line per request, and a clean 503 when the database is away.

Every log line is one JSON object on stderr, so a log shipper can read it without a parser
of its own. The request id comes from the proxy's X-Request-ID when proxies are trusted
(nginx can set it from $request_id), is made up here otherwise, and is echoed back in the
response, written into error logs and stored on outbox rows (`current_request_id()`).
"""

import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime
from time import perf_counter

from flask import (
    Flask,
    Response,
    g,
    has_request_context,
    render_template,
    request,
    request_finished,
    request_started,
)
from flask.logging import default_handler
from sqlalchemy import exc as sa_exc

from app.db import OUTAGE_ERRORS, forget_transaction
from app.extensions import db

REQUEST_ID_HEADER = "X-Request-ID"
# What we accept from a proxy: short and printable, so a header cannot forge log lines.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@-]{1,64}")
# Links that carry a secret in the path: the manage token, the unsubscribe token. A log line
# holding one would let whoever reads the logs act as that attendee.
SECRET_PATH = re.compile(r"(/(?:registrations|unsubscribe)/)[^/?#\s\"]+")
MASKED_TOKEN = "[token]"
# Seconds a client should wait before retrying while the database is unreachable.
RETRY_AFTER_SECONDS = 5

log = logging.getLogger("northlight")
request_log = logging.getLogger("northlight.request")


def current_request_id() -> str | None:
    """The id of the request being handled, or None outside a request (CLI, mail worker)."""
    if not has_request_context():
        return None
    return g.get("request_id")


def mask_secrets(text: str) -> str:
    """`text` with every manage or unsubscribe token in a path replaced by [token]."""
    return SECRET_PATH.sub(rf"\g<1>{MASKED_TOKEN}", text)


class JSONFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and any extras.

    Tokens in paths are masked in the whole line (message, fields, tracebacks alike).
    """

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            entry["request_id"] = request_id
        entry.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return mask_secrets(json.dumps(entry, default=str))


class RequestIdFilter(logging.Filter):
    """Stamp each record with the current request's id, so error logs carry it too."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (test runners swap it per test)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


_handler = StderrHandler()
_handler.setFormatter(JSONFormatter())
_handler.addFilter(RequestIdFilter())


def configure_logging(app: Flask) -> None:
    """Send the app's own logs and Flask's error logs to stderr as JSON lines."""
    for logger in (log, app.logger):
        if default_handler in logger.handlers:
            logger.removeHandler(default_handler)
        if _handler not in logger.handlers:
            logger.addHandler(_handler)
    log.setLevel(logging.INFO)


def request_id_for(environ: dict, trusted_proxies: int) -> str:
    """The proxy's request id when the proxy is trusted and the value is sane, else a new one."""
    if trusted_proxies:
        value = environ.get("HTTP_X_REQUEST_ID", "")
        if VALID_REQUEST_ID.fullmatch(value):
            return value
    return uuid.uuid4().hex


def log_request(
    method: str, path: str, status: int, started: float, remote_addr, request_id=None
) -> None:
    """The one line per request; the id is the current request's unless given."""
    fields = {
        "method": method,
        "path": path,
        "status": status,
        "duration_ms": round((perf_counter() - started) * 1000, 2),
        "remote_addr": remote_addr,
    }
    extra = {"fields": fields}
    if request_id is not None:
        extra["request_id"] = request_id
    request_log.info("request", extra=extra)


def start_request(app: Flask, **extra) -> None:
    g.request_started = perf_counter()
    g.request_id = request_id_for(request.environ, app.config["TRUSTED_PROXIES"])


def finish_request(app: Flask, response: Response, **extra) -> None:
    """Log the one line per request, and hand the id back to the client."""
    started = g.get("request_started")
    if started is None:
        return
    response.headers[REQUEST_ID_HEADER] = g.request_id
    log_request(request.method, request.path, response.status_code, started, request.remote_addr)


def database_unavailable(error: Exception):
    """A styled 503 instead of a traceback; the pool reconnects by itself once it is back."""
    forget_transaction()
    detail = str(getattr(error, "orig", None) or error).strip().splitlines()
    log.warning(
        "database unavailable",
        extra={"fields": {"error": type(error).__name__, "detail": detail[0] if detail else ""}},
    )
    html = render_template("errors/503.html", error=error, code=503)
    return html, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def close_session(exc: BaseException | None) -> None:
    """teardown: end the request's session even if the database went away during the request.

    Flask-SQLAlchemy's own teardown rolls back and lets the error out, which turns a finished
    response into gunicorn's bare 500 (seen when PostgreSQL stops mid-request). Registered
    after it, this runs first and leaves it nothing to do.
    """
    try:
        db.session.remove()
    except sa_exc.SQLAlchemyError as error:
        log.warning("database unavailable", extra={"fields": {"error": type(error).__name__}})


def register(app: Flask) -> None:
    """Structured logs, request ids and the database-outage page for `app`."""
    configure_logging(app)
    request_started.connect(start_request, app)
    request_finished.connect(finish_request, app)
    for error_class in OUTAGE_ERRORS:
        app.register_error_handler(error_class, database_unavailable)
    app.teardown_appcontext(close_session)
