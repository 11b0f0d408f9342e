"""Demo sign-up questions (issue 13) and a few applications waiting for approval."""

import secrets

from sqlalchemy import select

from app.db import utcnow
from app.extensions import db
from app.models import Answer, Event, Question, Registration, RegistrationStatus

TRIP = "geothermal-compute-iceland-data-centre-field-trip"
CONFERENCE = "ascent-ai-and-compute-summit-berlin"

# slug -> (label, kind, choices, help, required, sensitive)
QUESTIONS = {
    TRIP: [
        (
            "Your full name exactly as on your photo ID",
            "short_text",
            "",
            "The campus security desk checks it against your ID at the gate.",
            True,
            True,
        ),
        ("Nationality", "country", "", "The host site needs it for its visitor list.", True, True),
        (
            "Dinner menu",
            "choice_radio",
            "Arctic char\nSlow-cooked lamb\nVegetarian: barley and root vegetables",
            "Dinner on the first evening, at the harbour.",
            True,
            False,
        ),
    ],
    CONFERENCE: [
        (
            "Which topic would you most like a session on next year?",
            "short_text",
            "",
            "Optional: it helps us plan.",
            False,
            False,
        ),
    ],
}

# name, email, answers to the trip's three questions
APPLICANTS = [
    ("Sigrún Pálsdóttir", "sigrun@example.org", ("Sigrún Pálsdóttir", "Iceland", "Arctic char")),
    (
        "Tomás Ferreira",
        "tomas@example.org",
        ("Tomás Ferreira Lopes", "Portugal", "Slow-cooked lamb"),
    ),
    (
        "Mei Lin Chen",
        "meilin@example.org",
        ("Chen Mei Lin", "Singapore", "Vegetarian: barley and root vegetables"),
    ),
]


def seed_questions() -> None:
    """Questions for demo events that have none yet; applications for the trip when it has
    no registrations yet."""
    for slug, questions in QUESTIONS.items():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        if event is None or db.session.scalar(
            select(Question.id).where(Question.event_id == event.id)
        ):
            continue
        for position, (label, kind, choices, help_text, required, sensitive) in enumerate(
            questions, start=1
        ):
            db.session.add(
                Question(
                    event_id=event.id,
                    position=position,
                    label=label,
                    kind=kind,
                    choices=choices,
                    help=help_text,
                    required=required,
                    sensitive=sensitive,
                    staff_only=False,
                    retired=False,
                )
            )
        db.session.flush()
        if slug == TRIP:
            add_applications(event)


def add_applications(event: Event) -> None:
    if db.session.scalar(select(Registration.id).where(Registration.event_id == event.id)):
        return
    questions = db.session.scalars(
        select(Question).where(Question.event_id == event.id).order_by(Question.position)
    ).all()
    now = utcnow()
    for name, email, answers in APPLICANTS:
        registration = Registration(
            event_id=event.id,
            manage_key=secrets.token_urlsafe(32),
            name=name,
            email=email,
            email_normalized=email,
            company="",
            job_title="",
            status=RegistrationStatus.PENDING,
            registered_at=now,
            consent_at=now,
        )
        db.session.add(registration)
        db.session.flush()
        for question, value in zip(questions, answers, strict=True):
            db.session.add(
                Answer(
                    registration_id=registration.id,
                    question_id=question.id,
                    label=question.label,
                    value=value,
                )
            )
    db.session.flush()
