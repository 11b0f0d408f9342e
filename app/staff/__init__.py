"""The staff area: sign-in, editors, attendee lists, exports, outbox, audit log."""

from flask import Blueprint

bp = Blueprint("staff", __name__)

from app.staff import routes  # noqa: E402,F401  (routes attach themselves to bp)
