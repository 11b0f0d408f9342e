"""Every status and kind word the site stores, exports and filters by: one definition each.

They are `StrEnum`s, so a member is the plain word (`RegistrationStatus.CONFIRMED ==
"confirmed"`): columns store it as text, exports write it as it is, and templates compare
with the members (registered as Jinja globals) instead of repeating the words.
"""

from enum import StrEnum


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    # An application to an event that needs approval: holds no seat until staff approve it.
    PENDING = "pending"
    CANCELLED = "cancelled"
    DECLINED = "declined"


# Still expecting to come, or waiting for a seat: who hears about changes to the event.
ACTIVE_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


class QuestionKind(StrEnum):
    """What an event question asks for; the label is what the staff editor shows."""

    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    CHOICE_RADIO = "choice_radio"
    CHOICE_SELECT = "choice_select"
    MULTI = "multi"
    YES_NO = "yes_no"
    DATE = "date"
    NUMBER = "number"
    COUNTRY = "country"

    @property
    def label(self) -> str:
        return {
            "short_text": "Short text",
            "long_text": "Long text",
            "choice_radio": "One choice (buttons)",
            "choice_select": "One choice (list)",
            "multi": "Several choices (checkboxes)",
            "yes_no": "Yes or no",
            "date": "Date",
            "number": "Number",
            "country": "Country",
        }[self.value]

    @property
    def has_choices(self) -> bool:
        return self in (QuestionKind.CHOICE_RADIO, QuestionKind.CHOICE_SELECT, QuestionKind.MULTI)


class ArticleStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class EventKind(StrEnum):
    FIELD_TRIP = "field_trip"
    CONFERENCE = "conference"

    @property
    def label(self) -> str:
        return {"field_trip": "Field trip", "conference": "Conference"}[self.value]


class SessionKind(StrEnum):
    """What a programme session is; the label is what the programme shows."""

    TALK = "talk"
    KEYNOTE = "keynote"
    PANEL = "panel"
    WORKSHOP = "workshop"
    TOUR = "tour"
    MEAL = "meal"
    BREAK = "break"
    SOCIAL = "social"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class SessionStatus(StrEnum):
    """A cancelled session stays in the programme, marked, so people who chose it see why."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class OutboxStatus(StrEnum):
    """pending: waiting to be sent (or retried at next_attempt_at); sent; failed: gave up
    after the last attempt; held: no mail server is configured, kept for staff to read."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    HELD = "held"


class Role(StrEnum):
    """Each role can do everything the roles before it can."""

    STAFF = "staff"
    MARKETING = "marketing"
    ADMIN = "admin"


class SignInOutcome(StrEnum):
    """A staff sign-in attempt: accepted, refused, or the refusal that locked the account."""

    ACCEPTED = "accepted"
    REFUSED = "refused"
    LOCKED = "locked"


# The words in their display order (a tuple, so `word in REGISTRATION_STATUSES` works with text).
REGISTRATION_STATUSES = tuple(RegistrationStatus)
ARTICLE_STATUSES = tuple(ArticleStatus)
EVENT_STATUSES = tuple(EventStatus)
EVENT_KINDS = {kind.value: kind.label for kind in EventKind}
OUTBOX_STATUSES = tuple(OutboxStatus)
SESSION_KINDS = {kind.value: kind.label for kind in SessionKind}
ROLES = tuple(Role)
QUESTION_KINDS = {kind.value: kind.label for kind in QuestionKind}
