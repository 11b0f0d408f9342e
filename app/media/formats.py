"""The formats variants are served in, best first; the last one present is the <img> fallback."""

CONTENT_TYPES = {
    "avif": "image/avif",
    "webp": "image/webp",
    "jpeg": "image/jpeg",
    "png": "image/png",
}
# Where variants are served (app/media/routes.py). Built without url_for, so Markdown rendered
# outside a request (flask seed) gets the same URLs.
URL_PREFIX = "/media/"
EXTENSIONS = {"avif": "avif", "webp": "webp", "jpeg": "jpg", "png": "png"}
