"""Saving articles, authors and tags from the editors: checks, slug redirects, audit."""

from sqlalchemy import select

from app.extensions import db
from app.models import Article, Author, Tag
from app.staff import audit_log
from app.staff.editing import (
    EditError,
    keep_old_slug,
    publication_time,
    resolve_slug,
    submitted_time,
    was_public,
)

ARTICLE_AUDITED = (
    "title", "slug", "summary", "body_md", "author_id", "tag_slugs", "status", "published_at",
)  # fmt: skip


def save_article(article: Article | None, values: dict) -> Article:
    """Create (article=None) or update an article from editor values; flushes, never commits.

    :raises EditError: slug taken, unknown author, or a publication time that does not exist.
    """
    creating = article is None
    article = article or Article()
    before = {} if creating else _article_snapshot(article)
    public_before = not creating and was_public(article.status, article.published_at)
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
    article.status = values["status"]
    article.published_at = publication_time(article.status, wanted)
    if creating:
        db.session.add(article)
    article.author = author
    article.tags = tags
    db.session.flush()
    keep_old_slug("article", article.id, old_slug, article.slug, public_before)

    audit_log.record_save(
        "article", article, article.title, creating, before, _article_snapshot(article)
    )
    return article


def _article_snapshot(article: Article) -> dict:
    snap = audit_log.snapshot(article, tuple(f for f in ARTICLE_AUDITED if f != "tag_slugs"))
    snap["tag_slugs"] = sorted(tag.slug for tag in article.tags)
    return snap


def save_author(author: Author | None, values: dict) -> Author:
    """Create or update an author; flushes. :raises EditError: slug taken."""
    return _save_named(
        author or Author(), Author, values, ("name", "slug", "bio", "social_handle"), "author"
    )


def save_tag(tag: Tag | None, values: dict) -> Tag:
    """Create or update a tag; flushes. :raises EditError: name or slug taken."""
    clash = select(Tag.id).where(Tag.name == values["name"])
    if tag is not None:
        clash = clash.where(Tag.id != tag.id)
    if db.session.scalar(clash) is not None:
        raise EditError({"name": f"There is already a tag named “{values['name']}”."})
    return _save_named(tag or Tag(), Tag, values, ("name", "slug"), "tag")


def _save_named(row, model, values: dict, fields: tuple[str, ...], noun: str):
    creating = row.id is None
    before = {} if creating else audit_log.snapshot(row, fields)
    row.slug = resolve_slug(model, values.get("slug"), values["name"], row.id)
    for field in fields:
        if field != "slug":
            value = values.get(field)
            setattr(row, field, value or ("" if field != "social_handle" else None))
    if creating:
        db.session.add(row)
    db.session.flush()
    audit_log.record_save(noun, row, row.name, creating, before, audit_log.snapshot(row, fields))
    return row
