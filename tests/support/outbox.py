"""The outbox as the worker leaves it just before sending: registration emails are queued by
their inputs (app/registration/emails.py) and composed by the delivering worker."""

from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage, OutboxStatus
from app.outbox.claims import composed, prepare


def compose_outbox(app) -> None:
    """Compose every pending message still waiting for its bodies, as the worker would."""
    with app.app_context():
        waiting = db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.compose.is_not(None)
            )
        ).all()
        prepared = prepare(waiting)  # as a claimed batch is: registrations, answers at once
        for message in waiting:
            assert composed(message, prepared) is None, message.kind
        db.session.commit()
