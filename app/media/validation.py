"""What an upload must be before anything is decoded or stored: small enough, an image by its
content (JPEG, PNG, WebP or GIF), not too many pixels, and complete."""

import io
import warnings

from PIL import Image, UnidentifiedImageError

# Pillow's format names of what we accept, and the word people know them by.
ACCEPTED_FORMATS = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
ACCEPTED_HINT = "JPEG, PNG, WebP or GIF"
CHUNK = 64 * 1024


class MediaError(ValueError):
    """An upload we refuse; the message says why, in words for the person who sent it."""


def read_capped(stream, max_bytes: int, name: str = "") -> bytes:
    """Read a file stream, refusing it as soon as it passes `max_bytes` (never read whole).

    :raises MediaError: the file is larger than the limit, or empty.
    """
    chunks, total = [], 0
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        total += len(chunk)
        if total > max_bytes:
            raise MediaError(
                f"{name or 'The file'} is larger than {max_bytes / 1_000_000:g} MB; "
                "make it smaller and upload it again."
            )
        chunks.append(chunk)
    if total == 0:
        raise MediaError(f"{name or 'The file'} is empty.")
    return b"".join(chunks)


def open_checked(data: bytes, max_pixels: int, name: str = "") -> Image.Image:
    """The decoded image (first frame of a GIF), after checking its kind and pixel count from
    the header alone, so a decompression bomb is refused before it is decoded.

    :raises MediaError: not an accepted image, too many pixels, or damaged/incomplete.
    """
    label = name or "The file"
    # Pillow's own guard, in step with ours (it raises at twice the limit, warns above it).
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS))
    except Image.DecompressionBombError:
        raise MediaError(too_many_pixels(label, max_pixels)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise MediaError(
            f"{label} is not an image we accept: upload a {ACCEPTED_HINT} file "
            "(SVG and other formats are refused, whatever the file is called)."
        ) from None
    width, height = image.size
    if width * height > max_pixels:
        raise MediaError(too_many_pixels(label, max_pixels, width, height))
    try:
        image.seek(0)
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        raise MediaError(
            f"{label} is damaged or incomplete (it could not be read to the end); "
            "export it again and upload the new file."
        ) from None
    return image


def too_many_pixels(label: str, max_pixels: int, width: int = 0, height: int = 0) -> str:
    size = f" ({width} × {height})" if width else ""
    return (
        f"{label}{size} has more than {max_pixels / 1_000_000:g} megapixels; "
        "scale it down and upload it again."
    )


def image_format(image: Image.Image) -> str:
    """'jpeg', 'png', 'webp' or 'gif'."""
    return ACCEPTED_FORMATS[image.format]
