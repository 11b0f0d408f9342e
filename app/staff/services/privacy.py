"""Privacy requests that arrive by email (admin): find, export and erase what is stored for
an address. The audit log records each action and counts, never the address itself: only a
keyed reference, so a later question ("was this address erased?") can be answered by anyone
who has the address, and the log names no one.
"""

import hashlib
import hmac

from flask import current_app

from app.addresses import normalize_email
from app.privacy import rights
from app.staff.services import audit


class PrivacyRequestError(ValueError):
    """The address given is not a valid email address (message for staff)."""


def normalized(address: str) -> str:
    try:
        return normalize_email(address)[1]
    except ValueError as error:
        raise PrivacyRequestError(str(error)) from None


def address_ref(email_normalized: str) -> str:
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.new(key, email_normalized.encode("utf-8"), hashlib.sha256).hexdigest()[:12]


def counts_of(data: dict) -> str:
    choice = "a marketing choice" if data["marketing_choice"] else "no marketing choice"
    emails = sum(len(r["emails"]) for r in data["registrations"]) + len(data["other_emails"])
    return f"{len(data['registrations'])} registrations, {emails} emails, {choice}"


def lookup(address: str) -> dict:
    """What is stored for the address (audited as a look-up; flushes)."""
    email = normalized(address)
    data = rights.address_data(email)
    audit.record(
        "privacy.lookup", None, f"Looked up address ref {address_ref(email)}: {counts_of(data)}"
    )
    return data


def export(address: str) -> dict:
    email = normalized(address)
    data = rights.address_data(email)
    audit.record(
        "privacy.export", None, f"Exported address ref {address_ref(email)}: {counts_of(data)}"
    )
    return data


def erase(address: str) -> dict[str, int]:
    """Erase everything for the address in the caller's transaction; counts per kind."""
    email = normalized(address)
    counts = rights.erase_address(email)
    what = ", ".join(f"{kind.replace('_', ' ')}: {n}" for kind, n in counts.items())
    audit.record("privacy.erase", None, f"Erased address ref {address_ref(email)} ({what})")
    return counts
