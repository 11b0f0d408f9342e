"""All models, importable from one place: `from app.models import Event`."""

from app.models.content import (
    ARTICLE_STATUSES,
    EVENT_KINDS,
    EVENT_STATUSES,
    Article,
    Author,
    Event,
    SlugRedirect,
    Tag,
    article_tag,
)
from app.models.mail import OUTBOX_STATUSES, OutboxMessage
from app.models.registration import REGISTRATION_STATUSES, Registration
from app.models.staff import ROLES, AuditEntry, User

__all__ = [
    "ARTICLE_STATUSES",
    "EVENT_KINDS",
    "EVENT_STATUSES",
    "OUTBOX_STATUSES",
    "REGISTRATION_STATUSES",
    "ROLES",
    "Article",
    "AuditEntry",
    "Author",
    "Event",
    "OutboxMessage",
    "Registration",
    "SlugRedirect",
    "Tag",
    "User",
    "article_tag",
]
