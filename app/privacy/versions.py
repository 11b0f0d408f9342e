"""Consent you can prove: which privacy notice and which marketing wording were agreed to.

A version is the SHA-256 of the text as the visitor saw it: for the notice, the consent
box's label, the notice's template and the retention periods it shows (so changing the
wording or a number makes a new version); for marketing, the box's label and its hint.
Each text is stored once in `consent_text`, so the exact words behind a registration's
`consent_version` can be shown later; old registrations keep the version they agreed to.
"""

import hashlib
from collections.abc import Callable

from flask import current_app
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.db import utcnow
from app.extensions import db
from app.models import ConsentText

NOTICE = "privacy_notice"
MARKETING = "marketing"
# current_app.extensions key: the versions this process has seen stored.
KNOWN_VERSIONS = "northlight.consent_versions"
KNOWN_NOTICE = "northlight.notice_version"

CONSENT_LABEL = (
    "I have read the privacy notice and agree that Northlight stores these details to run "
    "this event."
)
MARKETING_LABEL = "Yes, email me now and then about future events."
MARKETING_HINT = "Optional. A few emails a year; every one says how to stop them."
# The manage page's own wording, when someone gives consent there.
MARKETING_MANAGE_LABEL = "Email me now and then about future events."
NOTICE_TEMPLATE = "site/privacy.html"


def notice_text() -> str:
    return notice_source()[0]


def notice_source() -> tuple[str, Callable[[], bool] | None]:
    """The notice's text, and Jinja's check that the template file is unchanged since."""
    env = current_app.jinja_env
    source, _, uptodate = env.loader.get_source(env, NOTICE_TEMPLATE)
    return f"{CONSENT_LABEL}\n\n{retention_periods()}\n\n{source}", uptodate


def retention_periods() -> str:
    config = current_app.config
    return ", ".join(
        f"{name}={config[name]}"
        for name in ("RETENTION_DAYS", "SENSITIVE_RETENTION_DAYS", "OUTBOX_RETENTION_DAYS")
    )


def marketing_text(label: str = MARKETING_LABEL) -> str:
    return f"{label}\n{MARKETING_HINT}" if label == MARKETING_LABEL else label


def version_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record(kind: str, text: str) -> str:
    """The version of `text`, storing the text the first time it is seen (flushes).

    A version found stored is remembered by the process (the rows are never deleted), so
    a sign-up does not look it up again.
    """
    version = version_of(text)
    known = current_app.extensions.setdefault(KNOWN_VERSIONS, set())
    if version in known:
        return version
    if db.session.get(ConsentText, version) is not None:
        known.add(version)
    else:
        insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
        # One statement: two first sign-ups at once store it once.
        db.session.execute(
            insert(ConsentText)
            .values(version=version, kind=kind, text=text, first_seen_at=utcnow())
            .on_conflict_do_nothing(index_elements=["version"])
        )
    return version


def notice_version() -> str:
    """The current notice's version. A sign-up asks for it: the process keeps it while the
    template file and the retention periods are unchanged and the version is stored."""
    periods = retention_periods()
    kept = current_app.extensions.get(KNOWN_NOTICE)
    if kept is not None and kept[0] == periods and kept[2] is not None and kept[2]():
        return kept[1]
    text, uptodate = notice_source()
    version = record(NOTICE, text)
    if version in current_app.extensions[KNOWN_VERSIONS]:
        current_app.extensions[KNOWN_NOTICE] = (periods, version, uptodate)
    return version


def marketing_version(label: str = MARKETING_LABEL) -> str:
    return record(MARKETING, marketing_text(label))


def texts(*versions: str | None) -> dict[str, dict]:
    """The stored wording behind these versions, for a person's data download."""
    found = {}
    for version in {v for v in versions if v}:
        row = db.session.get(ConsentText, version)
        if row is not None:
            found[version] = {
                "kind": row.kind,
                "text": row.text,
                "first_seen_at": row.first_seen_at,
            }
    return found
