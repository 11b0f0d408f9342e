"""The staff area: sign-in, editors, attendee lists, exports, outbox, audit log."""

from flask import Blueprint

bp = Blueprint("staff", __name__)

# The modules attach their views and hooks to bp when imported.
from app.staff import (  # noqa: E402,F401
    access,
    articles,
    attendees,
    audit,
    auth,
    authors,
    dashboard,
    events,
    exports,
    outbox,
    tags,
    users,
)
