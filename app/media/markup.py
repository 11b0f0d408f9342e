"""The responsive markup for a library image, one function for templates and article Markdown:
<picture> with AVIF/WebP sources and a JPEG/PNG <img> carrying srcset, sizes, width, height,
alt and loading; and the absolute 1200 px URL for og:image and JSON-LD."""

import html
import re
from collections.abc import Callable

from flask import current_app
from markupsafe import Markup

from app.media.formats import CONTENT_TYPES, URL_PREFIX
from app.media.variants import OG_WIDTH

# Where an image sits, and so how wide it is shown (CSS: .grid cards, .prose, .event-layout).
SIZES = {
    "card": "(min-width: 70rem) 23rem, (min-width: 44rem) 50vw, 100vw",
    "article": "(min-width: 44rem) 42rem, 100vw",
    "event": "(min-width: 56rem) 48rem, 100vw",
    "portrait": "12rem",
    "speaker": "6rem",
    "avatar": "2rem",
    "thumb": "8rem",
    "prose": "(min-width: 44rem) 42rem, 100vw",
}
FALLBACK_WIDTH = 800
# What markdown-it makes of ![alt](media:42): an <img> we replace before nh3 sanitises.
MEDIA_IMG = re.compile(r'<img src="media:(\d+)" alt="([^"]*)"[^>]*>')


def variant_url(variant, absolute: bool = False) -> str:
    path = URL_PREFIX + variant.filename
    return current_app.config["SITE_URL"] + path if absolute else path


def srcset(variants: list) -> str:
    return ", ".join(f"{variant_url(v)} {v.width}w" for v in variants)


def fallback_variant(item):
    """The <img src>: the fallback format at the width nearest FALLBACK_WIDTH."""
    formats = item.formats
    if not formats:
        return None
    variants = item.widths(formats[-1])
    return min(variants, key=lambda v: abs(v.width - FALLBACK_WIDTH))


def picture(item, where: str = "card", lazy: bool = True, alt=None) -> Markup:
    """<picture> for `item` shown at `where` (a SIZES key); lazy=False for the page's largest
    image above the fold (Lighthouse's LCP advice). `alt` overrides the library's alt text."""
    if item is None:
        return Markup("")
    fallback = fallback_variant(item)
    if fallback is None:
        return Markup("")
    sizes = SIZES[where]
    alt_text = item.alt_text if alt is None else alt
    sources = [
        Markup('<source type="{}" srcset="{}" sizes="{}">').format(
            CONTENT_TYPES[fmt], srcset(item.widths(fmt)), sizes
        )
        for fmt in item.formats[:-1]
    ]
    img = Markup(
        '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" {}decoding="async">'
    ).format(
        variant_url(fallback),
        srcset(item.widths(fallback.format)),
        sizes,
        item.width,
        item.height,
        alt_text,
        Markup('loading="lazy" ') if lazy else Markup('fetchpriority="high" '),
    )
    return Markup("<picture>{}{}</picture>").format(Markup("").join(sources), img)


def og_image(item) -> str:
    """Absolute URL of the fallback variant nearest 1200 px wide (og:image, JSON-LD image)."""
    if item is None or not item.formats:
        return ""
    variants = item.widths(item.formats[-1])
    best = min(variants, key=lambda v: (abs(v.width - OG_WIDTH), -v.width))
    return variant_url(best, absolute=True)


def with_image(data: dict, item) -> dict:
    """JSON-LD `data` with "image" (the og:image URL) added when there is an image."""
    url = og_image(item)
    return {**data, "image": url} if url else data


def expand_media_images(rendered_html: str, find: Callable[[int], object | None]) -> str:
    """Replace the <img src="media:42"> that ![alt](media:42) renders to with the library
    image's <picture> (lazy: inside the text, below the fold); `find` looks an id up in the
    library, and unknown ids are dropped."""

    def replace(match: re.Match) -> str:
        item = find(int(match.group(1)))
        if item is None:
            return ""
        written = html.unescape(match.group(2))
        return str(picture(item, "prose", lazy=True, alt=written or item.alt_text))

    return MEDIA_IMG.sub(replace, rendered_html)


def media_ids_in(markdown: str) -> set[int]:
    """The library ids a Markdown text places with ![alt](media:ID)."""
    return {int(found) for found in re.findall(r"\]\(media:(\d+)", markdown or "")}
