"""Authors for the editor: the list, one by slug, and saving."""

from sqlalchemy import select

from app.extensions import db
from app.models import Author
from app.staff.services.publishing import save_named

AUTHOR_FIELDS = ("name", "slug", "bio", "social_handle", "role", "organisation", "links")


def all_authors() -> list[Author]:
    return list(db.session.scalars(select(Author).order_by(Author.name)))


def find_author(slug: str) -> Author | None:
    return db.session.scalar(select(Author).where(Author.slug == slug))


def save_author(author: Author | None, values: dict) -> Author:
    """Create or update an author; flushes. :raises EditError: slug taken."""
    author = author or Author()
    author.image_id = values.get("image")  # the portrait: a choice of the picker
    return save_named(author, Author, values, AUTHOR_FIELDS, "author")
