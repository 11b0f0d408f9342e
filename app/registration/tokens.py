"""The signed token in manage links, and the absolute links built on it.

A manage link carries the registration's random manage_key signed with SECRET_KEY: it can be
rebuilt for any re-send, and a tampered token fails the signature before any database lookup.
"""

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from app.extensions import db
from app.models import Event, Registration
from app.urls import site_url_for

TOKEN_SALT = "northlight.registration.manage"


def serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def manage_token(registration: Registration) -> str:
    return serializer().dumps(registration.manage_key)


def registration_for_token(token: str) -> Registration | None:
    """The registration a manage token stands for; None for a bad, tampered or stale token."""
    try:
        manage_key = serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(manage_key, str):
        return None
    return db.session.scalar(select(Registration).where(Registration.manage_key == manage_key))


def manage_url(registration: Registration) -> str:
    return site_url_for("registration.manage", token=manage_token(registration))


def release_url(registration: Registration) -> str:
    """The reminder's "Can't come? Release your seat" page (one button; GET changes nothing)."""
    return site_url_for("registration.release", token=manage_token(registration))


def event_url(event: Event) -> str:
    return site_url_for("site.event", slug=event.slug)
