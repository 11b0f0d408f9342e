"""Answers to an event's questions: what counts as a valid answer of each kind, storing them
with the registration, and reading them back for pages, emails and exports.

An answer is stored as text a person can read without the question: a chosen option's words,
"yes"/"no", an ISO date, a number as typed (normalised), a country's name; several choices are
one per line. Functions flush; the caller commits.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache

import pycountry
from sqlalchemy import delete, select

from app.extensions import db
from app.models import Answer, Question, QuestionKind, Registration
from app.models.questions import registration_answers
from app.registration.validation import clean_free_text

SHORT_LIMIT = 500
LONG_LIMIT = 4000
NUMBER_LIMIT = Decimal(1_000_000_000)
YES_NO = (("yes", "Yes"), ("no", "No"))


@cache
def countries() -> tuple[tuple[str, str], ...]:
    """(ISO code, name) of every country, by name: the choices of a country question."""
    names = ((c.alpha_2, getattr(c, "common_name", c.name)) for c in pycountry.countries)
    return tuple(sorted(names, key=lambda pair: pair[1]))


def country_name(code: str) -> str | None:
    return dict(countries()).get(code)


def country_code(name: str) -> str:
    """The code for a stored country name ("" when unknown), to show the saved choice again."""
    return next((code for code, known in countries() if known == name), "")


def field_name(question: Question) -> str:
    """The form field's HTML name for a question."""
    return f"question_{question.id}"


def clean_answer(question: Question, raw) -> str:
    """The answer to store for `raw` (a string, or a list for several choices); "" if none.

    :raises ValueError: with a message for the person, shown next to the field.
    """
    kind = question.kind
    if kind == QuestionKind.MULTI:
        picked = [str(item).strip() for item in (raw or []) if str(item).strip()]
        unknown = [item for item in picked if item not in question.options]
        if unknown:
            raise ValueError("Choose from the options listed.")
        if question.required and not picked:
            raise ValueError("Choose at least one option.")
        # In the order the options are listed, each once.
        return "\n".join(option for option in question.options if option in picked)
    text = clean_free_text(
        raw if isinstance(raw, str) else "",
        LONG_LIMIT if kind == QuestionKind.LONG_TEXT else SHORT_LIMIT,
        kind == QuestionKind.LONG_TEXT,
    )
    if not text:
        if question.required:
            raise ValueError(required_message(question))
        return ""
    if kind in (QuestionKind.CHOICE_RADIO, QuestionKind.CHOICE_SELECT):
        if text not in question.options:
            raise ValueError("Choose one of the options listed.")
    elif kind == QuestionKind.YES_NO:
        if text not in ("yes", "no"):
            raise ValueError("Choose yes or no.")
    elif kind == QuestionKind.DATE:
        text = clean_date(text)
    elif kind == QuestionKind.NUMBER:
        text = clean_number(text)
    elif kind == QuestionKind.COUNTRY:
        name = country_name(text)
        if name is None:
            raise ValueError("Choose a country from the list.")
        text = name
    return text


def required_message(question: Question) -> str:
    if question.kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT, QuestionKind.NUMBER):
        return "Please answer this question."
    if question.kind == QuestionKind.DATE:
        return "Enter a date."
    return "Choose an answer."


def clean_date(text: str) -> str:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError("Enter a real date, as year-month-day (for example 1990-04-23).") from None
    if not 1900 <= day.year <= 2100:
        raise ValueError("Enter a date between the years 1900 and 2100.")
    return day.isoformat()


def clean_number(text: str) -> str:
    try:
        number = Decimal(text.replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        raise ValueError("Enter a number, for example 3 or 2.5.") from None
    if not number.is_finite() or abs(number) > NUMBER_LIMIT:
        raise ValueError("Enter a number between -1,000,000,000 and 1,000,000,000.")
    return format(number.normalize(), "f")


class AnswerError(ValueError):
    """Answers that break a rule: {field name: message}."""

    def __init__(self, errors: dict) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def clean_answers(questions: list[Question], raw: dict) -> dict[int, str]:
    """{question id: answer to store} for `questions`, from {field name: raw value}.

    :raises AnswerError: with every message at once.
    """
    answers, errors = {}, {}
    for question in questions:
        try:
            answers[question.id] = clean_answer(question, raw.get(field_name(question)))
        except ValueError as error:
            errors[field_name(question)] = str(error)
    if errors:
        raise AnswerError(errors)
    return answers


def save_answers(registration: Registration, answers: dict[int, str]) -> dict[str, tuple]:
    """Store these answers (an empty answer removes the stored one); the changes, by label:
    {label: (before, after)}."""
    questions = {
        q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(answers)))
    }
    stored = {a.question_id: a for a in registration_answers(registration)}
    changes = {}
    for question_id, value in answers.items():
        question = questions[question_id]
        answer = stored.get(question_id)
        before = answer.value if answer is not None else ""
        if before == value:
            continue
        changes[question.label] = (before, value)
        if not value:
            db.session.delete(answer)
        elif answer is None:
            db.session.add(
                Answer(
                    registration_id=registration.id,
                    question_id=question_id,
                    label=question.label,
                    value=value,
                )
            )
        else:
            answer.value, answer.label = value, question.label
    db.session.flush()
    return changes


def forget_answers(registration: Registration) -> None:
    """Remove every answer of a registration (a cancelled one signed up again starts afresh)."""
    db.session.execute(
        delete(Answer)
        .where(Answer.registration_id == registration.id)
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class ShownAnswer:
    label: str
    value: str
    sensitive: bool
    retired: bool
    staff_only: bool


def answers_to_show(
    registration: Registration,
    *,
    include_sensitive: bool = True,
    include_staff_only: bool = False,
    stored: list[Answer] | None = None,
) -> list[ShownAnswer]:
    """The registration's answers for a page or an email, in the questions' order, under
    the question's current label (a retired question's too). `stored`: its answers as
    answers_of_registrations read them, when they were read already."""
    shown = []
    for answer in registration_answers(registration) if stored is None else stored:
        question = answer.question
        if (question.sensitive and not include_sensitive) or (
            question.staff_only and not include_staff_only
        ):
            continue
        shown.append(
            ShownAnswer(
                question.label,
                answer.value,
                question.sensitive,
                question.retired,
                question.staff_only,
            )
        )
    return shown


def answers_by_registration(registration_ids: list[int]) -> dict[int, dict[int, str]]:
    """{registration id: {question id: answer}} for many registrations, in one query."""
    found: dict[int, dict[int, str]] = {}
    if not registration_ids:
        return found
    query = select(Answer.registration_id, Answer.question_id, Answer.value).where(
        Answer.registration_id.in_(registration_ids)
    )
    for registration_id, question_id, value in db.session.execute(query):
        found.setdefault(registration_id, {})[question_id] = value
    return found
