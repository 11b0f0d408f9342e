"""The staff blueprint: importing this package attaches every staff view and hook to `bp`."""

# The modules attach their views and hooks to bp when imported.
from app.staff.views import (  # noqa: F401
    access,
    account,
    announcements,
    articles,
    attendees,
    audit,
    auth,
    authors,
    dashboard,
    events,
    exports,
    media,
    messages,
    outbox,
    privacy,
    programme,
    questions,
    tags,
    two_factor,
    users,
)
from app.staff.views.blueprint import bp

__all__ = ["bp"]
