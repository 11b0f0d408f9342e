"""The programme: an event's sessions, who speaks at them, and who chose to attend them."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from app.content import render_markdown
from app.db import UTCDateTime, utcnow
from app.extensions import db
from app.models.content import Author, Event, LocalTimes, library_image
from app.models.registration import Registration
from app.models.statuses import SESSION_KINDS, SessionKind, SessionStatus

session_speaker = Table(
    "session_speaker",
    db.metadata,
    Column("session_id", ForeignKey("programme_session.id", ondelete="CASCADE"), primary_key=True),
    Column("author_id", ForeignKey("author.id", ondelete="CASCADE"), primary_key=True),
)


class ProgrammeSession(LocalTimes, db.Model):
    """One slot of an event's programme (a talk, a tour, lunch...), stored in UTC."""

    __tablename__ = "programme_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default=SessionKind.TALK)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    room: Mapped[str] = mapped_column(String(200), default="")
    description_md: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    # None: no seats of its own (anyone at the event may come). seats_taken changes only
    # through one conditional UPDATE, like the event's.
    capacity: Mapped[int | None] = mapped_column(Integer)
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default=SessionStatus.SCHEDULED)
    # iCalendar SEQUENCE: raised when the session moves, is renamed or cancelled.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # Set when a change people chose this session for has not been emailed yet (batched).
    change_pending_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    speakers: Mapped[list[Author]] = relationship(
        secondary=session_speaker, order_by=Author.name, backref="sessions"
    )

    def set_description(self, markdown: str) -> None:
        """Keep the Markdown and its sanitised HTML together: rendered once, on save."""
        self.description_md = markdown
        self.description_html = render_markdown(markdown, find_image=library_image)

    @property
    def zone(self) -> ZoneInfo:
        return self.event.zone

    @property
    def kind_label(self) -> str:
        return SESSION_KINDS.get(self.kind, self.kind.capitalize())

    @property
    def cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @property
    def seats_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(0, self.capacity - self.seats_taken)


class AgendaChoice(db.Model):
    """An attendee will attend this session; with a session capacity, it holds a seat."""

    __tablename__ = "agenda_choice"

    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True
    )
    session_id: Mapped[int] = mapped_column(
        ForeignKey("programme_session.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship()
    session: Mapped[ProgrammeSession] = relationship()


def event_programme(event: Event) -> list[ProgrammeSession]:
    """The event's sessions in programme order (cancelled ones included), speakers loaded:
    the one query behind the programme page, the agenda form and the staff editor. Speakers
    are shown by name: their portraits are loaded only where a page shows one."""
    return list(
        db.session.scalars(
            select(ProgrammeSession)
            .where(ProgrammeSession.event_id == event.id)
            .options(selectinload(ProgrammeSession.speakers).lazyload(Author.image))
            .order_by(ProgrammeSession.starts_at, ProgrammeSession.ends_at, ProgrammeSession.id)
        )
    )
