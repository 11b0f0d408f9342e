"""From a decoded upload to the variants we serve: clean pixels first (orientation applied,
colours in sRGB, no metadata at all), then each width in each format, encoded from them."""

import io
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, features

# Widths made for srcset, never wider than the original (which is added when smaller).
WIDTHS = (400, 800, 1200, 1600)
OG_WIDTH = 1200
QUALITY = {"avif": 55, "webp": 78, "jpeg": 82}
SRGB = ImageCms.createProfile("sRGB")


@dataclass(frozen=True)
class Encoded:
    format: str
    width: int
    height: int
    data: bytes


def modern_formats() -> tuple[str, ...]:
    """AVIF when this Pillow can write it, then WebP."""
    return ("avif", "webp") if features.check("avif") else ("webp",)


def clean_pixels(image: Image.Image) -> Image.Image:
    """A new image holding only pixels: EXIF orientation applied, colours converted to sRGB,
    and nothing else carried over (no EXIF, GPS, XMP, comments or profiles)."""
    image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    mode = "RGBA" if has_alpha else "RGB"
    profile = image.info.get("icc_profile")
    converted = None
    if profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            base = image if image.mode in ("RGB", "RGBA", "CMYK", "L") else image.convert(mode)
            converted = ImageCms.profileToProfile(base, source, SRGB, outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            converted = None  # a broken profile: take the numbers as they are
    if converted is None:
        converted = image.convert(mode)
    # Rebuilt from raw bytes: whatever rode along in .info is left behind.
    return Image.frombytes(mode, converted.size, converted.tobytes())


def target_widths(original_width: int) -> list[int]:
    widths = [width for width in WIDTHS if width < original_width]
    widths.append(min(original_width, WIDTHS[-1]))
    return sorted(set(widths))


def fallback_format(image: Image.Image) -> str:
    return "png" if image.mode == "RGBA" else "jpeg"


def encode(image: Image.Image, fmt: str) -> bytes:
    """One format from clean pixels; no metadata is passed to the encoder."""
    out = io.BytesIO()
    if fmt == "jpeg":
        image.save(out, "JPEG", quality=QUALITY["jpeg"], optimize=True, progressive=True)
    elif fmt == "png":
        image.save(out, "PNG", optimize=True)
    elif fmt == "webp":
        image.save(out, "WEBP", quality=QUALITY["webp"], method=4)
    elif fmt == "avif":
        image.save(out, "AVIF", quality=QUALITY["avif"], speed=8)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return out.getvalue()


def make_variants(clean: Image.Image) -> list[Encoded]:
    """Every width in every format we serve, each encoded from resized clean pixels."""
    encoded = []
    formats = (*modern_formats(), fallback_format(clean))
    for width in target_widths(clean.width):
        height = max(1, round(clean.height * width / clean.width))
        resized = clean if width == clean.width else clean.resize((width, height), Image.LANCZOS)
        for fmt in formats:
            encoded.append(Encoded(fmt, width, height, encode(resized, fmt)))
    return encoded
