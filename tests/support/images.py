"""Image files for the media tests, made here with Pillow and zlib (nothing downloaded)."""

import io
import struct
import zlib
from functools import cache

from PIL import Image, ImageCms

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_with_gps(width: int = 600, height: int = 300, orientation: int = 6) -> bytes:
    """A JPEG whose EXIF holds a GPS position, a camera serial and an orientation (6: the
    camera was turned, so the picture must be rotated 90° to stand up)."""
    image = Image.new("RGB", (width, height), (200, 40, 40))
    image.paste((20, 40, 200), (0, 0, width // 2, height))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0xA431] = "SERIAL-123456"  # BodySerialNumber
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (64.0, 8.0, 30.0), 3: "W", 4: (21.0, 56.0, 10.0)})
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"taken at the secret site", icc_profile=profile)
    return out.getvalue()


def in_format(fmt: str, **options) -> bytes:
    """A small picture saved as `fmt` (WEBP, GIF...), for the accepted-formats test."""
    out = io.BytesIO()
    Image.new("RGB", (320, 200), (10, 120, 60)).save(out, fmt, **options)
    return out.getvalue()


def png(width: int = 800, height: int = 450, color=(30, 90, 160)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


@cache
def png_bomb(side: int = 30_000, rows: int | None = None) -> bytes:
    """A side × side black PNG, 1 bit per pixel: about 110 KB on disk, 900 megapixels (112 MB
    of pixel data at 1 bit, 2.7 GB as RGB) once decoded: a decompression bomb. With `rows`,
    only that many rows of pixels follow the header (a few KB for 2,000), as an attacker who
    counts on the header alone being read would send."""
    row = b"\x00" + b"\x00" * ((side + 7) // 8)
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(row) for _ in range(side if rows is None else rows)]
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", b"".join(parts))
        + _chunk(b"IEND", b"")
    )


def truncated_jpeg() -> bytes:
    data = jpeg_with_gps(1200, 800, orientation=1)
    return data[: len(data) // 2]


SVG_WITH_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
    b'<script>alert("hi")</script><rect width="100" height="100"/></svg>'
)
