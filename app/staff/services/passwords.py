"""What makes a staff password acceptable: long enough, not a common choice or pattern, not
the site's name or the owner's own address."""

from functools import cache
from pathlib import Path

MIN_PASSWORD_LENGTH = 12
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
# Digits and symbols people put around a word to pass a rule: "Password2026!" is "password".
DECORATION = "0123456789!@#$%^&*()-_=+[]{};:'\",.<>/?\\|`~ "


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of refused passwords, lower-cased."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and line[0] != "#")


def password_problem(password: str, email: str = "", site_name: str = "") -> str | None:
    """Why `password` may not be used (a message for the form), or None when it is fine."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"The password must be at least {MIN_PASSWORD_LENGTH} characters long."
    lowered = password.lower()
    core = lowered.strip(DECORATION)
    common = common_passwords()
    if lowered in common or core in common or len(set(lowered)) < 4 or not core:
        return "That password is one of the most common ones; choose one that is harder to guess."
    if site_name and site_name.lower() in lowered:
        return f"The password must not contain the site's name ({site_name})."
    local_part = email.rpartition("@")[0].lower() if "@" in email else email.lower()
    if local_part and (core == local_part or (len(local_part) >= 4 and local_part in lowered)):
        return "The password must not contain your email address."
    return None
