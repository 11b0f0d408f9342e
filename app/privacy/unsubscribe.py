"""Unsubscribe links (RFC 8058): a signed token naming the person (their normalised address),
and the withdrawal it carries out, recorded with its time like any other marketing choice."""

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from app.privacy.consent import set_marketing_choice
from app.urls import site_url_for

TOKEN_SALT = "northlight.unsubscribe"
SOURCE = "unsubscribe link"


def serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def unsubscribe_token(email_normalized: str) -> str:
    return serializer().dumps(email_normalized)


def address_for_token(token: str) -> str | None:
    """The normalised address a token stands for; None when it is tampered with or not ours."""
    try:
        address = serializer().loads(token)
    except BadSignature:
        return None
    return address if isinstance(address, str) and "@" in address else None


def unsubscribe_url(email_normalized: str) -> str:
    return site_url_for("unsubscribe.unsubscribe", token=unsubscribe_token(email_normalized))


def unsubscribe_headers(url: str) -> dict[str, str]:
    """What mailbox providers read to offer their own one-click "Unsubscribe" (RFC 8058), for
    the person's unsubscribe_url."""
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def withdraw(email_normalized: str) -> None:
    """Stop marketing email to this person now; every registration of theirs shows it."""
    set_marketing_choice(email_normalized, False, SOURCE)
