"""An optional second factor for staff sign-in: a TOTP code (RFC 6238) or a recovery code.

The set-up page shows the secret and a QR code drawn here, as SVG, so no third party ever
sees the secret. Recovery codes are shown once and kept only as hashes; each works once.
"""

import secrets

import pyotp
import segno
from flask import current_app
from markupsafe import Markup
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models import Role, User

RECOVERY_CODES = 10
ISSUER = "Northlight"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> Markup:
    """The QR code of `uri` as inline SVG (drawn here; made of our own attributes only)."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="QR code of the secret" ', 1))


def code_is_valid(secret: str, code: str) -> bool:
    """A 6-digit code of this or the neighbouring 30 s step (clocks drift a little)."""
    code = "".join(code.split())
    return code.isdigit() and len(code) == 6 and pyotp.TOTP(secret).verify(code, valid_window=1)


def enable(user: User, secret: str, code: str) -> list[str] | None:
    """Turn the factor on when `code` proves the app has `secret`; the recovery codes to show
    once, or None when the code is wrong (nothing changes then)."""
    if not code_is_valid(secret, code):
        return None
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    user.totp_secret = secret
    user.recovery_code_hashes = [generate_password_hash(code) for code in codes]
    db.session.flush()
    return codes


def disable(user: User) -> None:
    user.totp_secret = None
    user.recovery_code_hashes = None
    db.session.flush()


def second_factor_accepted(user: User, code: str) -> bool:
    """True for a current TOTP code, or for an unused recovery code (which is then used up)."""
    if not user.totp_secret:
        return True
    if code_is_valid(user.totp_secret, code):
        return True
    typed = "".join(code.split()).lower()
    # Locked, so two sign-ins racing with the same recovery code cannot both use it.
    db.session.refresh(user, with_for_update=True)
    hashes = list(user.recovery_code_hashes or [])
    for stored in hashes:
        if typed and check_password_hash(stored, typed):
            hashes.remove(stored)
            user.recovery_code_hashes = hashes
            db.session.flush()
            return True
    return False


def setup_required(user: User) -> bool:
    """STAFF_REQUIRE_2FA=1 makes the factor mandatory for admins."""
    return (
        bool(current_app.config.get("STAFF_REQUIRE_2FA"))
        and user.role == Role.ADMIN
        and not user.totp_secret
    )
