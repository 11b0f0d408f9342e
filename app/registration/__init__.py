"""Registration: the form, seats and waitlist, manage and cancel, calendar files."""

from flask import Blueprint

bp = Blueprint("registration", __name__)

from app.registration import routes  # noqa: E402,F401  (routes attach themselves to bp)
