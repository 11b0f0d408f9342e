"""An event's questions for staff: add, edit, move up or down, retire (or bring back).

Answers are never deleted here: a retired question leaves the public form and keeps its
answers in exports and on attendees' pages; an edited question keeps the answers given to the
old wording (they hold their own text). Each change is audited; functions flush.
"""

from sqlalchemy import func, select

from app.extensions import db
from app.models import Event, Question
from app.models.questions import event_questions
from app.staff.services import audit

AUDITED = ("label", "kind", "choices", "help", "required", "sensitive", "staff_only", "retired")
EDITABLE = ("label", "kind", "choices", "help", "required", "sensitive", "staff_only")


def find_question(event: Event, question_id: int) -> Question | None:
    return db.session.scalar(
        select(Question).where(Question.id == question_id, Question.event_id == event.id)
    )


def save_question(event: Event, question: Question | None, values: dict) -> Question:
    """Create (question=None, at the end of the list) or update a question."""
    creating = question is None
    if creating:
        last = db.session.scalar(
            select(func.max(Question.position)).where(Question.event_id == event.id)
        )
        question = Question(event_id=event.id, position=(last or 0) + 1, retired=False)
        db.session.add(question)
    before = {} if creating else audit.snapshot(question, AUDITED)
    for field in EDITABLE:
        setattr(question, field, values[field] if values[field] is not None else "")
    db.session.flush()
    audit.record_save(
        "question", question, question.label, creating, before, audit.snapshot(question, AUDITED)
    )
    return question


def move_question(event: Event, question: Question, step: int) -> bool:
    """Swap with the neighbour above (step -1) or below (+1); False at either end."""
    questions = event_questions(event)
    # Positions made dense first, so a swap is always between two distinct numbers.
    for n, each in enumerate(questions, start=1):
        each.position = n
    index = questions.index(question)
    other = index + step
    if not 0 <= other < len(questions):
        return False
    neighbour = questions[other]
    question.position, neighbour.position = neighbour.position, question.position
    db.session.flush()
    audit.record(
        "question.move",
        question,
        f"Moved question “{question.label}” {'up' if step < 0 else 'down'}",
        {"position": {"before": index + 1, "after": other + 1}},
    )
    return True


def set_retired(question: Question, retired: bool) -> None:
    before = audit.snapshot(question, AUDITED)
    question.retired = retired
    db.session.flush()
    verb = "Retired" if retired else "Brought back"
    audit.record(
        "question.retire" if retired else "question.restore",
        question,
        f"{verb} question “{question.label}”",
        audit.changed_fields(before, audit.snapshot(question, AUDITED)),
    )
