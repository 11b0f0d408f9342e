"""Marketing consent belongs to the person, not to one registration.

A person is their normalised email address. Their latest answer (ticking the box on a
sign-up, withdrawing on the manage page or through an unsubscribe link) is the one that
counts, and every registration with that address shows it, so exports agree with who is
emailed.
"""

from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, inspect, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm.attributes import set_committed_value

from app.db import utcnow
from app.extensions import db
from app.models import MarketingChoice, Registration


def set_marketing_choice(
    email_normalized: str,
    opted_in: bool,
    source: str,
    now: datetime | None = None,
    version: str | None = None,
    shown_on: int | None = None,
) -> None:
    """Record the person's latest answer and show it on all their registrations.

    `version` is the wording agreed to (app/privacy/versions.py); a withdrawal clears it.
    `shown_on`: the id of a registration written with this answer already (a sign-up's own),
    left alone.
    """
    now = now or utcnow()
    db.session.execute(
        record_choice(db.engine.dialect.name),
        {"email": email_normalized, "opted_in": opted_in, "changed_at": now, "source": source},
    )
    shown = {
        "marketing_opt_in": opted_in,
        "marketing_opt_in_at": now if opted_in else None,
        "marketing_consent_version": version if opted_in else None,
    }
    # (Ids start at 1: 0 leaves none out.)
    where = {"choice_address": email_normalized, "choice_shown_on": shown_on or 0}
    db.session.execute(SHOW_CHOICE, where | {f"choice_{k}": v for k, v in shown.items()})
    # The statement leaves the session alone: the registrations it holds (loaded, not expired)
    # are given the same values, as the database now has them.
    for instance in list(db.session.identity_map.values()):
        loaded = inspect(instance).dict
        if (
            isinstance(instance, Registration)
            and loaded.get("email_normalized") == email_normalized
        ):
            for key, value in shown.items():
                set_committed_value(instance, key, value)


# Built once (see app/site/queries.py, PUBLIC_EVENT_BY_SLUG): every sign-up runs it. Issue 16:
# with synchronize_session="fetch" it was built per call (its bindparams' own values would
# have been copied onto the session's registrations) and read back every row it changed; and
# it wrote the sign-up's own new row a second time.
SHOW_CHOICE = (
    update(Registration)
    .where(
        Registration.email_normalized == bindparam("choice_address"),
        Registration.id != bindparam("choice_shown_on"),
    )
    .values(
        marketing_opt_in=bindparam("choice_marketing_opt_in"),
        marketing_opt_in_at=bindparam("choice_marketing_opt_in_at"),
        marketing_consent_version=bindparam("choice_marketing_consent_version"),
    )
    .execution_options(synchronize_session=False)
)


# Built once per dialect (see app/site/queries.py, PUBLIC_EVENT_BY_SLUG): every sign-up runs it.
@cache
def record_choice(dialect: str):
    """The upsert of a person's answer: one statement, so two sign-ups with the same address
    at once cannot both insert."""
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    values = {name: bindparam(name) for name in ("opted_in", "changed_at", "source")}
    return (
        insert(MarketingChoice)
        .values(email_normalized=bindparam("email"), **values)
        .on_conflict_do_update(index_elements=["email_normalized"], set_=values)
    )


def wants_marketing(email_normalized: str) -> bool:
    choice = db.session.get(MarketingChoice, email_normalized)
    return bool(choice and choice.opted_in)


def marketing_audience():
    """A select of the addresses whose latest answer is yes (one row per person)."""
    return select(MarketingChoice.email_normalized).where(MarketingChoice.opted_in.is_(True))
