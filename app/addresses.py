"""Email addresses as people type them: one rule for checking and normalising them.

Attendees, staff accounts and a corrected outbox address all go through `normalize_email`,
so "the same address" means the same thing everywhere.
"""

from email_validator import EmailNotValidError, validate_email

MAX_EMAIL_LENGTH = 254


def normalize_email(address: str) -> tuple[str, str]:
    """(address to write to, lower-cased form for duplicate checks), checked without network.

    :raises ValueError: with a message for people when the address is not valid.
    """
    address = address.strip()
    if len(address) > MAX_EMAIL_LENGTH:
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
