"""What every editor's save shares: EditError, slugs and their redirects, local times, and
when a page is published."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select

from app.content import slugify
from app.db import utcnow
from app.extensions import db
from app.models import ArticleStatus, SlugRedirect
from app.staff.services import audit


class EditError(ValueError):
    """Input the database rejects (slug taken, seats taken...): {field name: message}."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def slug_owner(model, slug: str, exclude_id: int | None):
    query = select(model.id).where(model.slug == slug)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return db.session.scalar(query)


def resolve_slug(model, requested: str | None, title: str, exclude_id: int | None) -> str:
    """The slug to save: the one asked for if free, or one made from the title when left empty.

    :raises EditError: the requested slug belongs to another row.
    """
    if requested:
        if slug_owner(model, requested, exclude_id) is not None:
            noun = model.__name__.lower()
            raise EditError({"slug": f"The slug “{requested}” is already used by another {noun}."})
        return requested
    return suggest_slug(model, title, exclude_id)


def suggest_slug(model, title: str, exclude_id: int | None = None) -> str:
    """slugify(title), with -2, -3... added until no other row has it."""
    base = slugify(title)
    candidate, n = base, 1
    while slug_owner(model, candidate, exclude_id) is not None:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def keep_old_slug(kind: str, target_id: int, old_slug: str | None, new_slug: str, public: bool):
    """Point `old_slug` at the row when a public page is renamed; free `new_slug` of redirects."""
    # A redirect from the new slug would send visitors away whenever the page is hidden.
    db.session.execute(
        delete(SlugRedirect).where(SlugRedirect.kind == kind, SlugRedirect.old_slug == new_slug)
    )
    if not public or not old_slug or old_slug == new_slug:
        return
    existing = db.session.scalar(
        select(SlugRedirect).where(SlugRedirect.kind == kind, SlugRedirect.old_slug == old_slug)
    )
    if existing is None:
        db.session.add(SlugRedirect(kind=kind, old_slug=old_slug, target_id=target_id))
    else:
        existing.target_id = target_id


def to_utc(local: datetime | None, zone_name: str, field: str) -> datetime | None:
    """A wall-clock time in `zone_name` as aware UTC. :raises EditError: the time does not exist."""
    if local is None:
        return None
    zone = ZoneInfo(zone_name)
    aware = local.replace(tzinfo=zone)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local:
        raise EditError(
            {field: f"{local:%H:%M} does not exist on {local:%d %B %Y} in {zone_name}: the clocks "
             "change that night. Choose another time."}
        )  # fmt: skip
    return aware.astimezone(UTC)


def to_local(value: datetime | None, zone_name: str) -> datetime | None:
    """Aware UTC as a naive wall-clock time in `zone_name`, for a datetime-local input."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(zone_name)).replace(tzinfo=None, second=0, microsecond=0)


def publication_time(status: str, wanted: datetime | None) -> datetime | None:
    """Publishing with no time means now; a draft keeps whatever time was given."""
    if status != ArticleStatus.DRAFT and wanted is None:
        return utcnow()
    return wanted


def submitted_time(
    local: datetime | None, previous: datetime | None, zone_name: str, field: str
) -> datetime | None:
    """The UTC time a form field means; the stored one when the field shows it unchanged.

    Inputs show minutes only, so an untouched field must not wipe a stored time's seconds.
    """
    if local is not None and previous is not None and local == to_local(previous, zone_name):
        return previous
    return to_utc(local, zone_name, field)


def save_named(row, model, values: dict, fields: tuple[str, ...], noun: str):
    """Create or update an author or tag (a name, a slug, plain text fields); flushes, audits.

    :raises EditError: the slug belongs to another row.
    """
    creating = row.id is None
    before = {} if creating else audit.snapshot(row, fields)
    row.slug = resolve_slug(model, values.get("slug"), values["name"], row.id)
    for field in fields:
        if field != "slug":
            value = values.get(field)
            setattr(row, field, value or ("" if field != "social_handle" else None))
    if creating:
        db.session.add(row)
    db.session.flush()
    audit.record_save(noun, row, row.name, creating, before, audit.snapshot(row, fields))
    return row
