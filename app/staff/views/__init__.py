"""The staff blueprint: importing this package attaches every staff view and hook to `bp`."""

from flask import Blueprint

bp = Blueprint("staff", __name__)

# The modules attach their views and hooks to bp when imported.
from app.staff.views import (  # noqa: E402,F401
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
