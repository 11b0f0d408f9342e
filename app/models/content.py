"""Authors, tags, articles and events: what the public site shows."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.content import render_markdown
from app.db import UTCDateTime, utcnow
from app.extensions import db
from app.models.media import MediaItem
from app.models.statuses import EVENT_KINDS, ArticleStatus, EventKind, EventStatus

# Statuses whose pages the public sees once published_at has passed (a cancelled event stays
# visible, marked as cancelled; articles are only ever draft or published).
PUBLIC_STATUSES = (EventStatus.PUBLISHED, EventStatus.CANCELLED)


def is_public(
    status: str | None, published_at: datetime | None, now: datetime | None = None
) -> bool:
    """Whether the public may see an article or event with this status and publication time."""
    if now is None:
        now = utcnow()
    return status in PUBLIC_STATUSES and published_at is not None and published_at <= now


def public_clause(model, now: datetime | ColumnElement | None = None) -> ColumnElement[bool]:
    """`is_public` as a SQL condition on `model` (Article or Event), for the site's queries;
    `now` may be a bindparam, for a statement built once."""
    if now is None:
        now = utcnow()
    return and_(
        model.status.in_(PUBLIC_STATUSES),
        model.published_at.is_not(None),
        model.published_at <= now,
    )


def library_image(media_id: int) -> MediaItem | None:
    """A media library item by id, for ![alt](media:42) in Markdown (app.content)."""
    # Called while an article is being filled in: flushing it half-built would fail.
    with db.session.no_autoflush:
        return db.session.get(MediaItem, media_id)


article_tag = Table(
    "article_tag",
    db.metadata,
    Column("article_id", ForeignKey("article.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True),
)


class Author(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    bio: Mapped[str] = mapped_column(Text, default="")
    social_handle: Mapped[str | None] = mapped_column(String(80))
    # A speaker's profile (issue 15): one record per person, whether they write or speak.
    role: Mapped[str] = mapped_column(String(120), default="")
    organisation: Mapped[str] = mapped_column(String(120), default="")
    # One http(s) address per line: their site, talks elsewhere, a profile.
    links: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Issue 12: a cover image (articles, events) or portrait (authors) from the media library.
    image_id: Mapped[int | None] = mapped_column(ForeignKey("media.id"), index=True)
    image: Mapped[MediaItem | None] = relationship(lazy="joined")

    articles: Mapped[list["Article"]] = relationship(back_populates="author")

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in (self.links or "").splitlines() if line.strip()]

    @property
    def affiliation(self) -> str:
        """'Head of facilities, Spreehalle': role and organisation, whichever are given."""
        return ", ".join(part for part in (self.role, self.organisation) if part)


class Tag(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)

    articles: Mapped[list["Article"]] = relationship(secondary=article_tag, back_populates="tags")


class Article(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(220), unique=True)
    summary: Mapped[str] = mapped_column(String(300), default="")
    body_md: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("author.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=ArticleStatus.DRAFT)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Issue 12: a cover image (articles, events) or portrait (authors) from the media library.
    image_id: Mapped[int | None] = mapped_column(ForeignKey("media.id"), index=True)
    image: Mapped[MediaItem | None] = relationship(lazy="joined")

    author: Mapped[Author] = relationship(back_populates="articles")
    tags: Mapped[list[Tag]] = relationship(
        secondary=article_tag, back_populates="articles", order_by=Tag.name
    )

    def set_body(self, markdown: str) -> None:
        """Keep the Markdown and its sanitised HTML together: rendered once, on save."""
        self.body_md = markdown
        self.body_html = render_markdown(markdown, find_image=library_image)

    @property
    def word_count(self) -> int:
        return len(self.body_md.split())

    @property
    def reading_minutes(self) -> int:
        """Reading time at about 220 words a minute, never less than one."""
        return max(1, round(self.word_count / 220))


class LocalTimes:
    """starts_at/ends_at (UTC) read in the class's `zone` property: the zone the times were
    entered in and are shown in, the event's own."""

    @property
    def local_starts_at(self) -> datetime:
        return self.starts_at.astimezone(self.zone)

    @property
    def local_ends_at(self) -> datetime:
        return self.ends_at.astimezone(self.zone)


class Event(LocalTimes, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default=EventKind.CONFERENCE)
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(220), unique=True)
    summary: Mapped[str] = mapped_column(String(300), default="")
    description_md: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    what_to_bring: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    venue: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    country: Mapped[str] = mapped_column(String(120), default="")
    # None means unlimited. seats_taken only ever changes through one conditional UPDATE.
    capacity: Mapped[int | None] = mapped_column(Integer)
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    waitlist_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # The last waitlist ticket handed out; tickets order the queue and never repeat.
    waitlist_issued: Mapped[int] = mapped_column(Integer, default=0)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Issue 13: sign-ups are applications staff approve; attendees edit until changes close
    # (None: when registration closes).
    approval_required: Mapped[bool] = mapped_column(Boolean, default=False)
    changes_close_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default=EventStatus.DRAFT)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # iCalendar SEQUENCE: raised whenever date, time or place changes.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Issue 12: a cover image (articles, events) or portrait (authors) from the media library.
    image_id: Mapped[int | None] = mapped_column(ForeignKey("media.id"), index=True)
    image: Mapped[MediaItem | None] = relationship(lazy="joined")
    # Issue 14: reminders, as days before the start ("7,1"); empty sends none.
    reminder_days: Mapped[str] = mapped_column(String(60), default="7,1")
    # Whether people on the waiting list get a short "you're still number N" note too.
    remind_waitlisted: Mapped[bool] = mapped_column(Boolean, default=False)

    def set_description(self, markdown: str) -> None:
        """Keep the Markdown and its sanitised HTML together: rendered once, on save."""
        self.description_md = markdown
        self.description_html = render_markdown(markdown, find_image=library_image)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def kind_label(self) -> str:
        return EVENT_KINDS.get(self.kind, self.kind)

    @property
    def seats_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(0, self.capacity - self.seats_taken)

    @property
    def place(self) -> str:
        return ", ".join(part for part in (self.venue, self.city, self.country) if part)


class SlugRedirect(db.Model):
    """An old slug of a published article or event, kept so old links answer 301."""

    __table_args__ = (UniqueConstraint("kind", "old_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    old_slug: Mapped[str] = mapped_column(String(220))
    target_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
