"""Markdown -> safe HTML, and slugs made from titles."""

import re
import unicodedata
from collections.abc import Callable

import nh3
from markdown_it import MarkdownIt

from app.media.markup import expand_media_images

# CommonMark plus tables and strikethrough; raw HTML in the source is shown as text.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"]
)

_ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "h5", "h6",
    "hr", "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}
# Library images placed with ![alt](media:42) (app/media/markup.py); other images are dropped.
_ALLOWED_TAGS |= {"picture", "source", "img"}
_ALLOWED_ATTRIBUTES |= {
    "source": {"type", "srcset", "sizes"},
    "img": {"src", "srcset", "sizes", "width", "height", "alt", "loading", "decoding"},
}


def render_markdown(source: str, find_image: Callable[[int], object | None] | None = None) -> str:
    """Render Markdown to HTML that is safe to show: nh3 removes anything not on the list.

    With `find_image` (a media library look-up by id), ![alt](media:42) becomes that image's
    responsive <picture>, sanitised with the rest; without it, images are dropped.
    """
    html = _markdown.render(source or "")
    # A level-one heading belongs to the page title; demote headings written as "# ..."
    html = re.sub(r"<(/?)h1>", r"<\1h2>", html)
    if find_image is not None:
        html = expand_media_images(html, find_image)
    # Any other image (an outside URL, a tracking pixel) is dropped, as before images existed.
    html = re.sub(r'<img src="(?!/media/)[^"]*"[^>]*>', "", html)
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def slugify(text: str, max_length: int = 80) -> str:
    """'Rise of AI: Berlin 2027' -> 'rise-of-ai-berlin-2027'; accents are folded to ASCII."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "untitled"


SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
