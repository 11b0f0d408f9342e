"""The audit log: writing who changed what (before and after of each changed field), and
reading it back newest first."""

from datetime import datetime
from typing import Any

from flask_login import current_user
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import AuditEntry

PER_PAGE = 50


def audit_entries() -> Select:
    """A select of every entry with its user, newest first."""
    return (
        select(AuditEntry)
        .options(selectinload(AuditEntry.user))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )


def snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """The values of `fields` on `obj`, made JSON-ready, to compare before and after a change."""
    return {name: json_ready(getattr(obj, name)) for name in fields}


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{field: {"before": old, "after": new}} for each field whose value differs."""
    return {
        name: {"before": before.get(name), "after": value}
        for name, value in after.items()
        if before.get(name) != value
    }


def record(
    action: str,
    target: Any = None,
    summary: str = "",
    changes: dict | None = None,
    user_id: int | None = None,
) -> AuditEntry:
    """Add an audit entry for the signed-in user (or `user_id`) in the current transaction."""
    if user_id is None and current_user and current_user.is_authenticated:
        user_id = current_user.id
    entry = AuditEntry(
        user_id=user_id,
        action=action,
        target_type=type(target).__name__.lower() if target is not None else "",
        target_id=getattr(target, "id", None),
        summary=summary[:300],
        changes=changes or None,
    )
    db.session.add(entry)
    return entry


def record_save(noun: str, row: Any, label: str, creating: bool, before: dict, after: dict) -> None:
    """Audit the creation or update of `row`; an update that changed nothing is not logged."""
    changes = changed_fields(before, after)
    if creating or changes:
        verb = "Created" if creating else "Updated"
        action = f"{noun}.{'create' if creating else 'update'}"
        record(action, row, f"{verb} {noun} “{label}”", changes)


def json_ready(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return sorted(json_ready(item) for item in value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
