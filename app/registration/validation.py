"""Rules for what attendees may type: lengths, no control characters (addresses: app.addresses)."""

import unicodedata

from app.addresses import MAX_EMAIL_LENGTH

# The details an attendee types, by the names the form, the service and the row share, with
# their column sizes (the form enforces the same limits with plain messages).
MAX_LENGTHS = {
    "name": 200,
    "email": MAX_EMAIL_LENGTH,
    "company": 200,
    "job_title": 200,
    "dietary": 1000,
    "accessibility": 1000,
}
# Free text, cleaned by clean_text; the email address has its own rule (app.addresses).
TEXT_FIELDS = tuple(name for name in MAX_LENGTHS if name != "email")
MULTILINE_FIELDS = {"dietary", "accessibility"}
# Line breaks and tabs are fine in a text area; every other control character is refused.
MULTILINE_ALLOWED = {"\n", "\r", "\t"}


def control_characters(value: str, multiline: bool) -> list[str]:
    """Names of the unprintable characters in `value` (empty when there are none)."""
    allowed = MULTILINE_ALLOWED if multiline else set()
    found = []
    for char in value:
        category = unicodedata.category(char)
        # Format characters (Cf) stay: emoji sequences and several scripts need them.
        bad = category in ("Cc", "Cs") or (not multiline and category in ("Zl", "Zp"))
        if bad and char not in allowed:
            name = unicodedata.name(char, f"U+{ord(char):04X}")
            if name not in found:
                found.append(name)
    return found


def clean_text(field: str, value: str | None) -> str:
    """`value` trimmed, checked for length and control characters.

    :raises ValueError: with a message for people.
    """
    return clean_free_text(value, MAX_LENGTHS[field], field in MULTILINE_FIELDS)


def clean_free_text(value: str | None, limit: int, multiline: bool) -> str:
    """Any text an attendee types (details or answers), trimmed and checked.

    :raises ValueError: with a message for people.
    """
    value = (value or "").strip()
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if len(value) > limit:
        raise ValueError(f"Please keep this to {limit} characters (now {len(value)}).")
    found = control_characters(value, multiline)
    if found:
        kind = "characters" if len(found) > 1 else "character"
        raise ValueError(
            f"This contains an invisible control {kind} ({', '.join(found[:3])}); "
            "please retype it without."
        )
    return value
