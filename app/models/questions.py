"""Questions an event asks on its sign-up form, and the answers people gave.

An answer keeps the question's label as it was answered, and its value as text (a chosen
option's words, not its position), so a retired or edited question never makes an answer
unreadable.
"""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    select,
)
from sqlalchemy.orm import Mapped, contains_eager, mapped_column, relationship

from app.db import UTCDateTime, utcnow
from app.extensions import db
from app.models.content import Event
from app.models.registration import Registration
from app.models.statuses import QUESTION_KINDS, QuestionKind


class Question(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default=QuestionKind.SHORT_TEXT)
    # One option per line, for the choice kinds.
    choices: Mapped[str] = mapped_column(Text, default="")
    help: Mapped[str] = mapped_column(String(500), default="")
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    # Purged SENSITIVE_RETENTION_DAYS after the event, never repeated in emails.
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    # Not on the public form: staff fill it in.
    staff_only: Mapped[bool] = mapped_column(Boolean, default=False)
    # Retired: off the forms, its answers kept in exports and on the attendee's page.
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()

    @property
    def kind_label(self) -> str:
        return QUESTION_KINDS.get(self.kind, self.kind)

    @property
    def options(self) -> list[str]:
        """The choices, one per non-empty line, in order."""
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    @property
    def public(self) -> bool:
        return not self.retired and not self.staff_only


class Answer(db.Model):
    __table_args__ = (UniqueConstraint("registration_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("question.id", ondelete="CASCADE"), index=True
    )
    # The label as it read when answered; the value as text (several choices: one per line).
    label: Mapped[str] = mapped_column(String(200))
    value: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    question: Mapped[Question] = relationship()
    registration: Mapped[Registration] = relationship()


def event_questions(event: Event, *, public_only: bool = False) -> list[Question]:
    """An event's questions in form order (retired ones too, unless `public_only`)."""
    query = PUBLIC_QUESTIONS if public_only else ALL_QUESTIONS
    return list(db.session.scalars(query, {"event_id": event.id}))


# Built once (see app/site/queries.py, PUBLIC_EVENT_BY_SLUG): every sign-up reads them.
ALL_QUESTIONS = (
    select(Question)
    .where(Question.event_id == bindparam("event_id"))
    .order_by(Question.position, Question.id)
)
PUBLIC_QUESTIONS = ALL_QUESTIONS.where(Question.retired.is_(False), Question.staff_only.is_(False))


def registration_answers(registration: Registration) -> list[Answer]:
    """One registration's answers in the order of the event's questions."""
    return answers_of_registrations([registration.id])[registration.id]


def answers_of_registrations(registration_ids: list[int]) -> dict[int, list[Answer]]:
    """{registration id: its answers in the order of the event's questions, each with its
    question loaded} for every id given (an empty list for one without answers)."""
    answers: dict[int, list[Answer]] = {registration_id: [] for registration_id in registration_ids}
    if not registration_ids:
        return answers
    query = (
        select(Answer)
        .join(Answer.question)
        .options(contains_eager(Answer.question))
        .where(Answer.registration_id.in_(registration_ids))
        .order_by(Question.position, Question.id)
    )
    for answer in db.session.scalars(query):
        answers[answer.registration_id].append(answer)
    return answers
