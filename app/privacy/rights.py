"""People's rights over their data: a copy of everything stored, erasure, by registration
(the attendee's own link) or by address (an admin acting on a request that came by email).

Functions flush; the caller commits, so an erase (cancel, promotion, anonymisation) is one
transaction.
"""

from contextlib import suppress
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update

from app.db import utcnow
from app.extensions import db
from app.models import (
    ACTIVE_STATUSES,
    AuditEntry,
    MarketingChoice,
    OutboxMessage,
    OutboxStatus,
    Registration,
)
from app.privacy import versions
from app.privacy.erasure import anonymise_registration, cleared_message
from app.registration import service
from app.registration.answers import answers_to_show
from app.registration.queries import waitlist_position

REGISTRATION_FIELDS = (
    "name", "email", "company", "job_title", "dietary", "accessibility", "status",
    "registered_at", "promoted_at", "cancelled_at", "checked_in_at", "consent_at",
    "marketing_opt_in", "marketing_opt_in_at",
)  # fmt: skip


def iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def registration_data(registration: Registration) -> dict:
    """Everything stored about one registration, as a JSON-ready dict."""
    event = registration.event
    data = {field: iso(getattr(registration, field)) for field in REGISTRATION_FIELDS}
    data["waitlist_position"] = waitlist_position(registration)
    data["event"] = {
        "title": event.title,
        "slug": event.slug,
        "starts_at": iso(event.starts_at),
        "ends_at": iso(event.ends_at),
    }
    data["answers"] = [
        {"question": answer.label, "answer": answer.value, "sensitive": answer.sensitive}
        for answer in answers_to_show(registration, include_staff_only=True)
    ]
    data["emails"] = [message_data(m) for m in messages_of(registration.id)]
    data["consent"] = consent_data(registration)
    data["marketing_choice"] = marketing_choice_data(registration.email_normalized)
    data["audit_log"] = [
        {"action": entry.action, "at": iso(entry.created_at)}
        for entry in db.session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.target_type == "registration", AuditEntry.target_id == registration.id
            )
            .order_by(AuditEntry.created_at, AuditEntry.id)
        )
    ]
    return data


def consent_data(registration: Registration) -> dict:
    wording = versions.texts(registration.consent_version, registration.marketing_consent_version)
    return {
        "privacy_notice": {
            "agreed_at": iso(registration.consent_at),
            "version": registration.consent_version,
            "text": wording.get(registration.consent_version, {}).get("text"),
        },
        "marketing": {
            "opted_in": registration.marketing_opt_in,
            "since": iso(registration.marketing_opt_in_at),
            "version": registration.marketing_consent_version,
            "text": wording.get(registration.marketing_consent_version, {}).get("text"),
        },
    }


def marketing_choice_data(email_normalized: str) -> dict | None:
    choice = db.session.get(MarketingChoice, email_normalized)
    if choice is None:
        return None
    return {
        "opted_in": choice.opted_in,
        "changed_at": iso(choice.changed_at),
        "source": choice.source,
    }


def messages_of(registration_id: int) -> list[OutboxMessage]:
    return db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.registration_id == registration_id)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    ).all()


def message_data(message: OutboxMessage) -> dict:
    return {
        "kind": message.kind,
        "subject": message.subject,
        "to": message.to_address,
        "status": message.status,
        "created_at": iso(message.created_at),
        "sent_at": iso(message.sent_at),
    }


def erase_registration(registration: Registration) -> bool:
    """Cancel an upcoming registration (seat freed, first waiting promoted), then anonymise it.

    Returns False when it was erased already (a second erase changes nothing).
    """
    if registration.anonymised_at is not None:
        return False
    address = registration.email_normalized
    if registration.status in ACTIVE_STATUSES and service.can_cancel(registration):
        # Staff (or another tab) may have cancelled it a moment ago: the seat is freed once.
        with suppress(service.AlreadyCancelled):
            service.cancel_registration(registration)
    erased = anonymise_registration(registration.id)
    forget_choice_if_unused(address)
    return erased


def forget_choice_if_unused(email_normalized: str) -> None:
    """The marketing answer goes with the person's last registration."""
    still_used = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(Registration.email_normalized == email_normalized)
    )
    if not still_used:
        db.session.execute(
            delete(MarketingChoice).where(MarketingChoice.email_normalized == email_normalized)
        )


# --- by address (staff) ---------------------------------------------------------------


def registrations_of(email_normalized: str) -> list[Registration]:
    return db.session.scalars(
        select(Registration)
        .where(Registration.email_normalized == email_normalized)
        .order_by(Registration.registered_at, Registration.id)
    ).all()


def loose_messages_to(email_normalized: str) -> list[OutboxMessage]:
    """Messages to the address that belong to no registration of it (e.g. announcements)."""
    mine = select(Registration.id).where(Registration.email_normalized == email_normalized)
    return db.session.scalars(
        select(OutboxMessage)
        .where(
            func.lower(OutboxMessage.to_address) == email_normalized,
            or_(
                OutboxMessage.registration_id.is_(None), OutboxMessage.registration_id.not_in(mine)
            ),
        )
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    ).all()


def address_data(email_normalized: str) -> dict:
    """Everything stored for an address: registrations (with their emails), other emails,
    the marketing choice."""
    return {
        "email": email_normalized,
        "registrations": [registration_data(r) for r in registrations_of(email_normalized)],
        "other_emails": [message_data(m) for m in loose_messages_to(email_normalized)],
        "marketing_choice": marketing_choice_data(email_normalized),
    }


def erase_address(email_normalized: str) -> dict[str, int]:
    """Erase everything stored for an address; counts per kind (nothing personal)."""
    counts = {"registrations": 0, "other_emails": 0, "marketing_choice": 0}
    for registration in registrations_of(email_normalized):
        counts["registrations"] += erase_registration(registration)
    loose = [m.id for m in loose_messages_to(email_normalized)]
    if loose:
        counts["other_emails"] = len(loose)
        unsent = (OutboxMessage.id.in_(loose), OutboxMessage.status == OutboxStatus.PENDING)
        db.session.execute(delete(OutboxMessage).where(*unsent))
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(loose))
            .values(**cleared_message(), purged_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    counts["marketing_choice"] = db.session.execute(
        delete(MarketingChoice).where(MarketingChoice.email_normalized == email_normalized)
    ).rowcount
    db.session.flush()
    db.session.expire_all()
    return counts
