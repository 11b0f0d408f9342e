"""The media library's rules: adding an upload (checked, cleaned, re-encoded, stored in one
go), replacing its picture, describing it, where it is used, and deleting it when unused.
Functions flush; the caller commits."""

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import or_, select

from app.extensions import db
from app.media.formats import CONTENT_TYPES
from app.media.markup import media_ids_in
from app.media.storage import delete_unused_blobs, put_blob
from app.media.validation import MediaError, image_format, open_checked, read_capped
from app.media.variants import clean_pixels, make_variants
from app.models import Article, Author, Event, MediaItem, MediaVariant

ORIGINAL_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
}
# An upload request may carry this much more than one file's limit (the other form fields).
FORM_OVERHEAD_BYTES = 256 * 1024
MAX_FILES_PER_UPLOAD = 10


@dataclass(frozen=True)
class Upload:
    """A file as the form gave it: its name and its (not yet read) stream."""

    filename: str
    stream: object


@dataclass(frozen=True)
class Checked:
    filename: str
    data: bytes
    fmt: str
    variants: list
    width: int
    height: int


@dataclass(frozen=True)
class Use:
    """A page that shows an item: what it is, its title, and the staff URL to edit it."""

    kind: str
    title: str
    endpoint: str
    slug: str


def upload_limit() -> int:
    """The most one upload request may carry (MEDIA_MAX_BYTES plus the form around it)."""
    return int(current_app.config["MEDIA_MAX_BYTES"]) + FORM_OVERHEAD_BYTES


def check_upload(upload: Upload) -> Checked:
    """Read, check and re-encode one upload, storing nothing.

    :raises MediaError: too large, not an accepted image, too many pixels, or damaged.
    """
    name = f"“{upload.filename}”" if upload.filename else ""
    data = read_capped(upload.stream, int(current_app.config["MEDIA_MAX_BYTES"]), name)
    image = open_checked(data, int(current_app.config["MEDIA_MAX_PIXELS"]), name)
    fmt = image_format(image)
    clean = clean_pixels(image)
    return Checked(upload.filename[:200], data, fmt, make_variants(clean), *clean.size)


def check_all(uploads: list[Upload]) -> list[Checked]:
    """Every upload checked before any is stored: one bad file stores none of them.

    :raises MediaError: no file, too many, or the first bad one's message.
    """
    uploads = [upload for upload in uploads if upload.filename]
    if not uploads:
        raise MediaError("Choose an image file to upload.")
    if len(uploads) > MAX_FILES_PER_UPLOAD:
        raise MediaError(f"Upload at most {MAX_FILES_PER_UPLOAD} images at once.")
    return [check_upload(upload) for upload in uploads]


def store_picture(item: MediaItem, checked: Checked) -> None:
    """Give `item` the original and variants of `checked` (in this transaction); flushes."""
    # Blobs first: the item is changed only once every blob row is in place.
    original = put_blob(checked.data, ORIGINAL_TYPES[checked.fmt])
    variants = [
        MediaVariant(
            format=encoded.format,
            width=encoded.width,
            height=encoded.height,
            sha256=put_blob(encoded.data, CONTENT_TYPES[encoded.format]),
            size=len(encoded.data),
        )
        for encoded in checked.variants
    ]
    item.original_sha256 = original
    item.original_format = checked.fmt
    item.filename = checked.filename
    item.width, item.height = checked.width, checked.height
    item.variants = variants
    db.session.add(item)
    db.session.flush()


def add_media(checked: list[Checked], details: dict) -> list[MediaItem]:
    """New library items from checked uploads, all with the same description; flushes."""
    items = []
    for one in checked:
        item = MediaItem()
        describe(item, details)
        store_picture(item, one)
        items.append(item)
    return items


def describe(item: MediaItem, details: dict) -> None:
    """Alt text (or decorative), caption and credit.

    :raises MediaError: no alt text and not marked decorative.
    """
    alt = (details.get("alt") or "").strip()
    decorative = bool(details.get("decorative"))
    if not alt and not decorative:
        raise MediaError(
            "Describe the image in the alt text, or mark it decorative if it adds nothing "
            "a reader would miss."
        )
    item.alt = alt
    item.decorative = decorative
    item.caption = (details.get("caption") or "").strip()
    item.credit = (details.get("credit") or "").strip()


def update_details(item: MediaItem, details: dict) -> None:
    """New alt text, caption or credit; articles placing the image are rendered again."""
    describe(item, details)
    db.session.flush()
    rerender_articles(item)


def replace_picture(item: MediaItem, checked: Checked) -> None:
    """Swap the item's picture, keep its id (and so every page using it); flushes."""
    old = {variant.sha256 for variant in item.variants} | {item.original_sha256}
    store_picture(item, checked)
    delete_unused_blobs(old)
    rerender_articles(item)


def rerender_articles(item: MediaItem) -> None:
    """Article HTML is rendered on save: render those placing `item` again (new URLs, alt)."""
    for article in db.session.scalars(
        select(Article).where(Article.body_md.contains(f"(media:{item.id}"))
    ):
        if item.id in media_ids_in(article.body_md):
            article.set_body(article.body_md)
    db.session.flush()


def uses_of(item: MediaItem) -> list[Use]:
    """Every article, event and author page that shows `item` (cover, portrait or in text)."""
    uses = []
    articles = select(Article).where(
        or_(Article.image_id == item.id, Article.body_md.contains(f"(media:{item.id}"))
    )
    for article in db.session.scalars(articles.order_by(Article.title)):
        if article.image_id == item.id or item.id in media_ids_in(article.body_md):
            uses.append(Use("Article", article.title, "staff.article_edit", article.slug))
    events = select(Event).where(Event.image_id == item.id).order_by(Event.title)
    for event in db.session.scalars(events):
        uses.append(Use("Event", event.title, "staff.event_edit", event.slug))
    authors = select(Author).where(Author.image_id == item.id).order_by(Author.name)
    for author in db.session.scalars(authors):
        uses.append(Use("Author", author.name, "staff.author_edit", author.slug))
    return uses


def delete_media(item: MediaItem) -> None:
    """Delete an unused item with its variants and blobs; flushes.

    :raises MediaError: the item is in use (the message lists where).
    """
    uses = uses_of(item)
    if uses:
        where = "; ".join(f"{use.kind.lower()} “{use.title}”" for use in uses)
        raise MediaError(f"This image is in use and was not deleted. Remove it from: {where}.")
    hashes = {variant.sha256 for variant in item.variants} | {item.original_sha256}
    db.session.delete(item)
    delete_unused_blobs(hashes)


def all_media() -> list[MediaItem]:
    return list(db.session.scalars(select(MediaItem).order_by(MediaItem.id.desc())))


def media_options() -> list[tuple[int, str]]:
    """(id, label) of every item, for the editors' image <select>."""
    return [
        (item.id, f"#{item.id} {item.alt or item.filename or 'decorative image'}"[:90])
        for item in all_media()
    ]


def find_media(media_id: int) -> MediaItem | None:
    return db.session.get(MediaItem, media_id)
