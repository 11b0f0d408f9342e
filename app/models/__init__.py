"""All models, importable from one place: `from app.models import Event`."""

from app.models.content import Article, Author, Event, SlugRedirect, Tag, article_tag
from app.models.mail import OutboxMessage
from app.models.media import MediaBlob, MediaItem, MediaVariant
from app.models.messaging import Announcement, ReminderSent, StaffMessage
from app.models.privacy import ConsentText, MarketingChoice
from app.models.programme import AgendaChoice, ProgrammeSession, session_speaker
from app.models.questions import Answer, Question
from app.models.registration import Registration
from app.models.schedule import ScheduledJob
from app.models.staff import AuditEntry, SignInAttempt, User
from app.models.statuses import (
    ACTIVE_STATUSES,
    ARTICLE_STATUSES,
    EVENT_KINDS,
    EVENT_STATUSES,
    OUTBOX_STATUSES,
    QUESTION_KINDS,
    REGISTRATION_STATUSES,
    ROLES,
    SESSION_KINDS,
    ArticleStatus,
    EventKind,
    EventStatus,
    OutboxStatus,
    QuestionKind,
    RegistrationStatus,
    Role,
    SessionKind,
    SessionStatus,
    SignInOutcome,
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
    "SESSION_KINDS",
    "AgendaChoice",
    "Announcement",
    "Answer",
    "Article",
    "ArticleStatus",
    "AuditEntry",
    "Author",
    "Event",
    "EventKind",
    "EventStatus",
    "MarketingChoice",
    "ReminderSent",
    "StaffMessage",
    "MediaBlob",
    "MediaItem",
    "MediaVariant",
    "OutboxMessage",
    "OutboxStatus",
    "ProgrammeSession",
    "QUESTION_KINDS",
    "Question",
    "QuestionKind",
    "Registration",
    "RegistrationStatus",
    "Role",
    "ScheduledJob",
    "SignInAttempt",
    "SignInOutcome",
    "SessionKind",
    "SessionStatus",
    "SlugRedirect",
    "Tag",
    "User",
    "article_tag",
    "session_speaker",
]
