"""Event questions for tests, stored as the staff page stores them."""

import itertools

from app.extensions import db
from app.models import Event, Question

_numbers = itertools.count(1)


def create_question(event: Event, label: str, kind: str = "short_text", **overrides) -> Question:
    values = {
        "event_id": event.id,
        "position": next(_numbers),
        "label": label,
        "kind": kind,
        "choices": "",
        "help": "",
        "required": False,
        "sensitive": False,
        "staff_only": False,
        "retired": False,
    }
    values.update(overrides)
    question = Question(**values)
    db.session.add(question)
    db.session.flush()
    return question


def every_kind(event: Event) -> dict[str, Question]:
    """One required question of each kind, by kind; the two sensitive ones are marked."""
    menu = "Fish\nLamb\nVegetarian"
    questions = [
        create_question(event, "Name on your photo ID", sensitive=True, required=True),
        create_question(event, "What do you hope to see?", "long_text", required=True),
        create_question(event, "Dinner menu", "choice_radio", choices=menu, required=True),
        create_question(event, "Shirt size", "choice_select", choices="S\nM\nL", required=True),
        create_question(event, "Topics", "multi", choices="GPUs\nCooling\nPower", required=True),
        create_question(event, "Will you drive?", "yes_no", required=True),
        create_question(event, "Date of birth", "date", required=True),
        create_question(event, "Years in HPC", "number", required=True),
        create_question(event, "Nationality", "country", sensitive=True, required=True),
    ]
    return {question.kind: question for question in questions}


def field(question: Question) -> str:
    return f"question_{question.id}"
