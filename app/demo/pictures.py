"""Demo pictures, drawn with Pillow at seed time: abstract data halls, geothermal plants and
cities at night, and portrait silhouettes. Deterministic (a seed per picture), nothing
downloaded, no binary files in the repository; each comes with alt text describing it."""

import io
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter

COVER_SIZE = (1600, 900)  # drawn at this size, stored at 1200 wide (og:image's width)
STORED_WIDTH = 1200
PORTRAIT_SIZE = (600, 600)


@dataclass(frozen=True)
class DemoPicture:
    theme: str
    alt: str
    caption: str = ""


CREDIT = "Illustration: Northlight demo content"

# By the slug of the demo article, event or author the picture belongs to.
PICTURES = {
    "exascale-in-plain-language": DemoPicture(
        "data-hall",
        "Two rows of dark server cabinets meeting at a vanishing point, dotted with "
        "blue, green and amber lights",
    ),
    "how-france-is-building-its-ai-compute-backbone": DemoPicture(
        "city-night", "A city skyline at night, windows lit in warm yellow under a deep blue sky"
    ),
    "how-to-plan-a-data-centre-visit": DemoPicture(
        "data-hall",
        "A data hall aisle seen from one end, its cabinets and their small lights "
        "receding into the distance",
    ),
    "hpc-versus-ai-workloads-what-actually-differs": DemoPicture(
        "data-hall",
        "Racks of computers lining both sides of a dim hall, speckled with coloured status lights",
    ),
    "liquid-cooling-comes-of-age": DemoPicture(
        "geothermal",
        "Plant buildings with chimneys sending up white steam clouds in front of "
        "snow-capped grey mountains",
    ),
    "notes-from-a-week-at-a-gpu-conference": DemoPicture(
        "city-night", "Office towers at night with scattered windows still lit, a moon above"
    ),
    "why-ai-start-ups-are-looking-at-iceland": DemoPicture(
        "geothermal",
        "A row of geothermal plant buildings on a green plain, steam billowing above them",
    ),
    "ascent-ai-and-compute-summit-berlin": DemoPicture(
        "city-night",
        "A city skyline at night, lit windows in dark towers under stars and a pale moon",
        "The summit's host city after dark.",
    ),
    "geothermal-compute-iceland-data-centre-field-trip": DemoPicture(
        "geothermal",
        "A geothermal power station, steam clouds rising into a pale sky over mountains",
        "Where the power for the data centres we visit comes from.",
    ),
    "inside-a-french-supercomputing-centre": DemoPicture(
        "data-hall", "A supercomputer hall with black cabinets and rows of small lights"
    ),
    # Portraits: the background is the colour the alt text names (portrait_background).
    "ingrid-solvang": DemoPicture("portrait", "Stylised portrait silhouette on a teal background"),
    "mathis-leroux": DemoPicture("portrait", "Stylised portrait silhouette on an amber background"),
    "amara-okafor": DemoPicture("portrait", "Stylised portrait silhouette on a blue background"),
    "jonas-brandt": DemoPicture("portrait", "Stylised portrait silhouette on a plum background"),
    "sigrun-haraldsdottir": DemoPicture(
        "portrait", "Stylised portrait silhouette on a moss-green background"
    ),
}
PORTRAIT_BACKGROUNDS = {
    "teal": (40, 140, 140),
    "amber": (214, 150, 50),
    "blue": (90, 110, 180),
    "plum": (120, 60, 110),
    "moss-green": (90, 120, 60),
}


def gradient(size, top, bottom) -> Image.Image:
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / max(1, height - 1)
        color = tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (width, y)], fill=color)
    return image


def data_hall(rng: random.Random) -> Image.Image:
    width, height = COVER_SIZE
    image = gradient(COVER_SIZE, (18, 24, 38), (40, 48, 62))
    draw = ImageDraw.Draw(image)
    horizon, cx = height * 0.42, width / 2 + rng.randint(-120, 120)
    for side in (-1, 1):
        for i in range(13):
            near = 1 - i / 14
            x0 = cx + side * (80 + 700 * near**1.6)
            x1 = cx + side * (80 + 700 * (near - 1 / 14) ** 1.6)
            top, bottom = horizon - 380 * near, horizon + 420 * near
            top2, bottom2 = horizon - 380 * (near - 1 / 14), horizon + 420 * (near - 1 / 14)
            shade = 20 + i * 3
            draw.polygon(
                [(x0, top), (x1, top2), (x1, bottom2), (x0, bottom)],
                fill=(shade, shade + 4, shade + 10),
            )
            for _ in range(int(30 * near) + 3):
                t = rng.random()
                lx = x0 + (x1 - x0) * t
                ly = (top + (top2 - top) * t) + rng.random() * ((bottom - top) * 0.9)
                color = rng.choice([(60, 220, 140), (70, 160, 255), (240, 200, 80)])
                r = max(1, 4 * near)
                draw.ellipse([lx - r, ly - r, lx + r, ly + r], fill=color)
    for y in range(0, int(horizon - 300), 60):
        draw.line([(0, y), (width, y + 20)], fill=(60, 70, 90), width=3)
    return image


def geothermal(rng: random.Random) -> Image.Image:
    width, height = COVER_SIZE
    image = gradient(COVER_SIZE, (170, 196, 220), (230, 236, 240))
    draw = ImageDraw.Draw(image, "RGBA")
    ridge = [(0, height * 0.55)]
    for x in range(0, width + 100, 100):
        ridge.append((x, height * (0.35 + 0.15 * rng.random())))
    ridge += [(width, height * 0.6), (0, height * 0.6)]
    draw.polygon(ridge, fill=(110, 120, 135))
    for x, y in ridge[1:-2]:
        draw.polygon([(x - 40, y + 30), (x, y), (x + 40, y + 30)], fill=(245, 248, 250))
    draw.rectangle([0, height * 0.58, width, height], fill=(96, 118, 92))
    for i in range(5):
        x = 200 + i * 270 + rng.randint(-40, 40)
        draw.rectangle([x, 560, x + 180, 700], fill=(200, 204, 210))
        draw.rectangle([x + 60, 470, x + 90, 560], fill=(170, 175, 182))
        for k in range(9):
            r = 40 + k * 18 + rng.randint(0, 15)
            sx, sy = x + 75 + rng.randint(-30, 30) + k * 12, 450 - k * 45
            draw.ellipse([sx - r, sy - r, sx + r, sy + r], fill=(255, 255, 255, 120))
    draw.rectangle([0, 720, width, 740], fill=(150, 150, 150))
    return image.filter(ImageFilter.SMOOTH)


def city_night(rng: random.Random) -> Image.Image:
    width, height = COVER_SIZE
    image = gradient(COVER_SIZE, (8, 14, 40), (36, 44, 90))
    draw = ImageDraw.Draw(image)
    for _ in range(160):
        x, y = rng.randrange(width), rng.randrange(int(height * 0.5))
        draw.point((x, y), fill=(230, 230, 255))
    draw.ellipse([1300, 90, 1380, 170], fill=(240, 236, 210))
    x = 0
    while x < width:
        w, h = rng.randint(70, 180), rng.randint(180, 620)
        draw.rectangle([x, height - h, x + w, height], fill=(14, 18, 30))
        for wy in range(height - h + 20, height - 10, 26):
            for wx in range(x + 10, x + w - 12, 20):
                if rng.random() < 0.35:
                    draw.rectangle([wx, wy, wx + 9, wy + 13], fill=(250, 210, 110))
        x += w + rng.randint(4, 16)
    return image


def portrait_background(alt: str) -> tuple[int, int, int]:
    """The colour a portrait's alt text names, so the words and the pixels agree."""
    return next(rgb for word, rgb in PORTRAIT_BACKGROUNDS.items() if f" {word} " in alt)


def portrait(background: tuple[int, int, int]) -> Image.Image:
    image = Image.new("RGB", PORTRAIT_SIZE, background)
    draw = ImageDraw.Draw(image)
    width, height = PORTRAIT_SIZE
    draw.ellipse([width * 0.3, height * 0.18, width * 0.7, height * 0.58], fill=(245, 240, 232))
    draw.ellipse([width * 0.12, height * 0.62, width * 0.88, height * 1.3], fill=(245, 240, 232))
    return image


THEMES = {
    "data-hall": data_hall,
    "geothermal": geothermal,
    "city-night": city_night,
}


def draw_png(slug: str) -> bytes:
    """The demo picture for `slug` as PNG bytes; the same bytes every time."""
    picture = PICTURES[slug]
    if picture.theme == "portrait":
        image = portrait(portrait_background(picture.alt))
    else:
        image = THEMES[picture.theme](random.Random(slug))
    if image.width > STORED_WIDTH:
        height = round(image.height * STORED_WIDTH / image.width)
        image = image.resize((STORED_WIDTH, height), Image.LANCZOS)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
