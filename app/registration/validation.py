"""Rules for what attendees may type: email addresses, lengths, no control characters."""

import unicodedata

from email_validator import EmailNotValidError, validate_email

# Column sizes of Registration; the form enforces the same limits with plain messages.
MAX_LENGTHS = {
    "name": 200,
    "email": 254,
    "company": 200,
    "job_title": 200,
    "dietary": 1000,
    "accessibility": 1000,
}
MULTILINE_FIELDS = {"dietary", "accessibility"}
# Line breaks and tabs are fine in a text area; every other control character is refused.
MULTILINE_ALLOWED = {"\n", "\r", "\t"}


def normalize_email(address: str) -> tuple[str, str]:
    """(address to write to, lower-cased form for duplicate checks), checked without network.

    :raises ValueError: with a message for people when the address is not valid.
    """
    address = address.strip()
    if len(address) > MAX_LENGTHS["email"]:
        raise ValueError("That email address is too long.")
    try:
        # ASCII-only local parts: many mail relays still refuse SMTPUTF8 addresses.
        valid = validate_email(address, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        raise ValueError(email_error_message(address, error)) from error
    return valid.normalized, valid.normalized.lower()


def email_error_message(address: str, error: EmailNotValidError) -> str:
    if "@" not in address:
        return "Enter an email address with an @, like name@example.com."
    text = str(error)
    if "internationalized characters before the @" in text:
        return "Use an address with only Latin letters, digits and . _ - + before the @."
    return f"Enter a valid email address, like name@example.com. {text}"


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
    value = (value or "").strip()
    multiline = field in MULTILINE_FIELDS
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    limit = MAX_LENGTHS[field]
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
