"""Tags for the editor: the list with how often each is used, one by slug, and saving."""

from sqlalchemy import func, select

from app.extensions import db
from app.models import Tag, article_tag
from app.staff.services.publishing import EditError, save_named


def tags_with_uses() -> list:
    """(tag, number of articles carrying it) for every tag, by name."""
    uses = func.count(article_tag.c.article_id).label("uses")
    query = select(Tag, uses).outerjoin(article_tag).group_by(Tag.id).order_by(Tag.name)
    return list(db.session.execute(query).all())


def find_tag(slug: str) -> Tag | None:
    return db.session.scalar(select(Tag).where(Tag.slug == slug))


def save_tag(tag: Tag | None, values: dict) -> Tag:
    """Create or update a tag; flushes. :raises EditError: name or slug taken."""
    clash = select(Tag.id).where(Tag.name == values["name"])
    if tag is not None:
        clash = clash.where(Tag.id != tag.id)
    if db.session.scalar(clash) is not None:
        raise EditError({"name": f"There is already a tag named “{values['name']}”."})
    return save_named(tag or Tag(), Tag, values, ("name", "slug"), "tag")
