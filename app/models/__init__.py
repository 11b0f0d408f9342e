"""All models, importable from one place: `from app.models import Event`."""

from app.models.content import Article, Author, Event, SlugRedirect, Tag, article_tag
from app.models.mail import OutboxMessage
from app.models.privacy import ConsentText, MarketingChoice
from app.models.registration import Registration
from app.models.schedule import ScheduledJob
from app.models.staff import AuditEntry, User
from app.models.statuses import (
    ACTIVE_STATUSES,
    ARTICLE_STATUSES,
    EVENT_KINDS,
    EVENT_STATUSES,
    OUTBOX_STATUSES,
    REGISTRATION_STATUSES,
    ROLES,
    ArticleStatus,
    EventKind,
    EventStatus,
    OutboxStatus,
    RegistrationStatus,
    Role,
)

__all__ = [
    "ACTIVE_STATUSES",
    "ARTICLE_STATUSES",
    "EVENT_KINDS",
    "EVENT_STATUSES",
    "ConsentText",
    "OUTBOX_STATUSES",
    "REGISTRATION_STATUSES",
    "ROLES",
    "Article",
    "ArticleStatus",
    "AuditEntry",
    "Author",
    "Event",
    "EventKind",
    "EventStatus",
    "MarketingChoice",
    "OutboxMessage",
    "OutboxStatus",
    "Registration",
    "RegistrationStatus",
    "Role",
    "ScheduledJob",
    "SlugRedirect",
    "Tag",
    "User",
    "article_tag",
]
