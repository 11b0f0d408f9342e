"""Images: a library item, the re-encoded variants made from it, and the blobs that hold bytes.

Blobs are content-addressed (sha256 of their bytes), so the same bytes are stored once and a
variant's URL changes whenever its content does (immutable caching). An item's original is
kept for making variants again; only variants, re-encoded from pixels, are ever served.
"""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import UTCDateTime, utcnow
from app.extensions import db
from app.media.formats import CONTENT_TYPES, EXTENSIONS


class MediaBlob(db.Model):
    """Bytes by their sha256; `data` is empty when MEDIA_DIR keeps them as files."""

    __tablename__ = "media_blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MediaItem(db.Model):
    """One picture in the library, with its alt text, caption and credit."""

    __tablename__ = "media"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(200), default="")
    original_sha256: Mapped[str] = mapped_column(ForeignKey("media_blob.sha256"))
    original_format: Mapped[str] = mapped_column(String(10))
    # Size after the EXIF orientation is applied: what visitors see.
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    alt: Mapped[str] = mapped_column(String(300), default="")
    decorative: Mapped[bool] = mapped_column(Boolean, default=False)
    caption: Mapped[str] = mapped_column(Text, default="")
    credit: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    variants: Mapped[list["MediaVariant"]] = relationship(
        back_populates="item",
        cascade="all, delete-orphan",
        order_by="MediaVariant.width",
        lazy="selectin",
    )

    @property
    def alt_text(self) -> str:
        """What goes in alt="": nothing for a decorative image."""
        return "" if self.decorative else self.alt

    def widths(self, fmt: str) -> list["MediaVariant"]:
        return [variant for variant in self.variants if variant.format == fmt]

    @property
    def formats(self) -> list[str]:
        """The formats this item has variants in, best first."""
        present = {variant.format for variant in self.variants}
        return [fmt for fmt in CONTENT_TYPES if fmt in present]


class MediaVariant(db.Model):
    """One re-encoded size and format of an item; its URL carries its blob's hash."""

    __tablename__ = "media_variant"

    id: Mapped[int] = mapped_column(primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media.id", ondelete="CASCADE"), index=True)
    format: Mapped[str] = mapped_column(String(10))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(ForeignKey("media_blob.sha256"), index=True)
    size: Mapped[int] = mapped_column(Integer)

    item: Mapped[MediaItem] = relationship(back_populates="variants")

    @property
    def filename(self) -> str:
        return f"{self.sha256}.{EXTENSIONS[self.format]}"
