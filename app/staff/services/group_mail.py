"""What staff messages and announcements share: checking what staff wrote, rendering it once
for many recipients, and counting how a batch of outbox rows is doing."""

import re
from dataclasses import dataclass

from flask import current_app, render_template
from flask_login import current_user
from markupsafe import escape
from sqlalchemy import func, select

from app.content import render_markdown
from app.extensions import db
from app.models import OutboxMessage, OutboxStatus
from app.urls import site_url_for

SUBJECT_MAX = 150
BODY_MAX = 20_000
# An HTML tag or comment typed into the Markdown (autolinks such as <https://…> are fine).
RAW_HTML = re.compile(r"<\s*(/?\s*[a-zA-Z][a-zA-Z0-9-]*(\s|/?>|$)|!--)")
# Stand-ins replaced per recipient, so a list of 20,000 is rendered once, not 20,000 times.
PLACEHOLDERS = ("name", "manage_url", "unsubscribe_url")


class MessageError(ValueError):
    """What staff wrote cannot be sent; `errors` maps a form field to what is wrong."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def check_message(subject: str, body: str) -> tuple[str, str]:
    """The subject on one line and the body's safe HTML.

    :raises MessageError: empty subject or body, a line break in the subject (header
        injection), raw HTML or a script in the body, or either too long.
    """
    errors = {}
    subject = (subject or "").strip()
    if not subject:
        errors["subject"] = "Enter a subject."
    elif "\r" in subject or "\n" in subject:
        errors["subject"] = "The subject must be one line."
    elif len(subject) > SUBJECT_MAX:
        errors["subject"] = f"Keep the subject to {SUBJECT_MAX} characters."
    body = (body or "").strip()
    if not body:
        errors["body"] = "Write the message."
    elif len(body) > BODY_MAX:
        errors["body"] = f"Keep the message to {BODY_MAX:,} characters."
    elif RAW_HTML.search(body):
        errors["body"] = (
            "The message contains HTML (a tag such as <script> or <b>). Write it in Markdown: "
            "**bold**, *italic*, [a link](https://…), lists with -."
        )
    if errors:
        raise MessageError(errors)
    return subject, render_markdown(body)


def marker(name: str) -> str:
    return f"\x00{name}\x00"


@dataclass(frozen=True)
class Rendered:
    """A text + HTML pair with stand-ins for what differs per recipient."""

    text: str
    html: str

    def personal(self, **values: str) -> tuple[str, str]:
        text, html = self.text, self.html
        for name, value in values.items():
            text = text.replace(marker(name), value)
            html = html.replace(marker(name), str(escape(value)))
        return text, html


def render_once(template: str, **context) -> Rendered:
    """Render email `template` once, with stand-ins for the name and personal links."""
    context.setdefault("privacy_url", site_url_for("site.privacy"))
    context.setdefault("site_name", current_app.config["SITE_NAME"])
    for name in PLACEHOLDERS:
        context.setdefault(name, marker(name))
    return Rendered(
        render_template(f"email/{template}.txt", **context),
        render_template(f"email/{template}.html", **context),
    )


def batch_counts(batches: list[str]) -> dict[str, dict[str, int]]:
    """{batch: {"sent": n, "waiting": n, "failed": n}} for outbox rows of those batches."""
    counts = {batch: {"sent": 0, "waiting": 0, "failed": 0} for batch in batches}
    if not batches:
        return counts
    rows = db.session.execute(
        select(OutboxMessage.batch, OutboxMessage.status, func.count())
        .where(OutboxMessage.batch.in_(batches))
        .group_by(OutboxMessage.batch, OutboxMessage.status)
    ).all()
    for batch, status, number in rows:
        key = {OutboxStatus.SENT: "sent", OutboxStatus.FAILED: "failed"}.get(status, "waiting")
        counts[batch][key] += number
    return counts


def staff_user_id() -> int | None:
    """Who is writing (None outside a signed-in request: the CLI, a bench)."""
    return current_user.id if current_user and current_user.is_authenticated else None
