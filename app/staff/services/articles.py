"""Articles for the editor: the list, one by slug, and saving with checks, slug redirects, audit."""

from sqlalchemy import select

from app.extensions import db
from app.models import Article, Author, Tag
from app.models.content import is_public
from app.staff.services import audit
from app.staff.services.publishing import (
    EditError,
    keep_old_slug,
    publication_time,
    resolve_slug,
    submitted_time,
)

ARTICLE_AUDITED = (
    "title", "slug", "summary", "body_md", "author_id", "tag_slugs", "status", "published_at",
    "image_id",
)  # fmt: skip


def recent_articles() -> list[Article]:
    """Every article, the most recently edited first."""
    query = select(Article).order_by(Article.updated_at.desc(), Article.id.desc())
    return list(db.session.scalars(query))


def find_article(slug: str) -> Article | None:
    return db.session.scalar(select(Article).where(Article.slug == slug))


def author_options() -> list[tuple[int, str]]:
    """(id, name) of every author, for the editor's author <select>."""
    return list(db.session.execute(select(Author.id, Author.name).order_by(Author.name)).all())


def tag_options() -> list[tuple[int, str]]:
    """(id, name) of every tag, for the editor's tag checkboxes."""
    return list(db.session.execute(select(Tag.id, Tag.name).order_by(Tag.name)).all())


def save_article(article: Article | None, values: dict) -> Article:
    """Create (article=None) or update an article from editor values; flushes, never commits.

    :raises EditError: slug taken, unknown author, or a publication time that does not exist.
    """
    creating = article is None
    article = article or Article()
    before = {} if creating else _article_snapshot(article)
    public_before = not creating and is_public(article.status, article.published_at)
    old_slug = article.slug

    # Everything that reads the database first, so no half-filled row is flushed meanwhile.
    author = db.session.get(Author, values["author_id"])
    if author is None:
        raise EditError({"author_id": "Choose an author from the list."})
    slug = resolve_slug(Article, values.get("slug"), values["title"], article.id)
    tags = list(db.session.scalars(select(Tag).where(Tag.id.in_(values.get("tag_ids") or []))))
    wanted = submitted_time(
        values.get("published_at"), article.published_at, values["timezone"], "published_at"
    )

    article.slug = slug
    article.title = values["title"]
    article.summary = values.get("summary") or ""
    if creating or values.get("body", "") != article.body_md:
        article.set_body(values.get("body") or "")
    article.image_id = values.get("image")  # a choice of the picker: an existing media id
    article.status = values["status"]
    article.published_at = publication_time(article.status, wanted)
    if creating:
        db.session.add(article)
    article.author = author
    article.tags = tags
    db.session.flush()
    keep_old_slug("article", article.id, old_slug, article.slug, public_before)

    audit.record_save(
        "article", article, article.title, creating, before, _article_snapshot(article)
    )
    return article


def _article_snapshot(article: Article) -> dict:
    snap = audit.snapshot(article, tuple(f for f in ARTICLE_AUDITED if f != "tag_slugs"))
    snap["tag_slugs"] = sorted(tag.slug for tag in article.tags)
    return snap
