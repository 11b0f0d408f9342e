"""Marketing consent belongs to the person, not to one registration.

A person is their normalised email address. Their latest answer (ticking the box on a
sign-up, withdrawing on the manage page or through an unsubscribe link) is the one that
counts, and every registration with that address shows it, so exports agree with who is
emailed.
"""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.db import utcnow
from app.extensions import db
from app.models import MarketingChoice, Registration


def set_marketing_choice(
    email_normalized: str,
    opted_in: bool,
    source: str,
    now: datetime | None = None,
    version: str | None = None,
) -> None:
    """Record the person's latest answer and show it on all their registrations.

    `version` is the wording agreed to (app/privacy/versions.py); a withdrawal clears it.
    """
    now = now or utcnow()
    values = {"opted_in": opted_in, "changed_at": now, "source": source}
    # One statement, so two sign-ups with the same address at once cannot both insert.
    insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    db.session.execute(
        insert(MarketingChoice)
        .values(email_normalized=email_normalized, **values)
        .on_conflict_do_update(index_elements=["email_normalized"], set_=values)
    )
    db.session.execute(
        update(Registration)
        .where(Registration.email_normalized == email_normalized)
        .values(
            marketing_opt_in=opted_in,
            marketing_opt_in_at=now if opted_in else None,
            marketing_consent_version=version if opted_in else None,
        )
        .execution_options(synchronize_session="fetch")
    )


def wants_marketing(email_normalized: str) -> bool:
    choice = db.session.get(MarketingChoice, email_normalized)
    return bool(choice and choice.opted_in)


def marketing_audience():
    """A select of the addresses whose latest answer is yes (one row per person)."""
    return select(MarketingChoice.email_normalized).where(MarketingChoice.opted_in.is_(True))
