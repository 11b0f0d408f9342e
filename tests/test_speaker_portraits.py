"""Speakers' portraits from the media library (issue 15): on /speakers/, on a speaker's page and
beside their name wherever a session is listed, with srcset, width, height and an empty alt
(the name is right beside each one)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Author, MediaItem
from tests.support.factories import create_author, create_event, create_session
from tests.support.images import png
from tests.support.staff import signed_in_client
from tests.test_media_editors import post_editor


@pytest.fixture
def speaker_with_portrait(app):
    """Hedy, speaking at an upcoming conference, given a portrait through the author editor's
    own upload field; and Grace, speaking too, without one."""
    with app.app_context():
        hedy = create_author(name="Hedy Lamarr", slug="hedy", role="Inventor")
        grace = create_author(name="Grace Hopper", slug="grace")
        event = create_event(slug="summit", starts_at=datetime.now(UTC) + timedelta(days=20))
        create_session(event, title="Frequency hopping", speakers=[hedy, grace])
        db.session.commit()
    marketing, _ = signed_in_client(app, "marketing")
    values = {"name": "Hedy Lamarr", "slug": "hedy", "role": "Inventor"}
    values["new_image_alt"] = "Hedy Lamarr at her workbench"
    saved = post_editor(marketing, "/staff/authors/hedy/edit", values, ("hedy.png", png(500, 600)))
    assert saved.status_code == 302
    with app.app_context():
        author = db.session.scalar(select(Author).where(Author.slug == "hedy"))
        return author.image.id


def portraits(html: str) -> list[str]:
    """Every <img> of a library variant on the page."""
    return re.findall(r"<img [^>]*src=\"/media/[^>]*>", html)


def assert_responsive(img: str, sizes: str) -> None:
    assert re.search(r'srcset="/media/[0-9a-f]{64}\.\w+ \d+w', img), img
    assert f'sizes="{sizes}"' in img, img
    assert re.search(r'width="500" height="600"', img), img
    assert 'alt=""' in img, img  # decorative: the name is beside it


def test_the_speakers_page_shows_each_portrait_beside_the_name(app, client, speaker_with_portrait):
    html = client.get("/speakers/").get_data(as_text=True)
    images = portraits(html)
    assert len(images) == 1  # Grace has none: no empty box, no broken image
    assert_responsive(images[0], "6rem")
    card = html[html.index('class="card speaker-card"') :]
    assert card.index("speaker-portrait") < card.index("Hedy Lamarr")
    assert "<source type=" in html  # modern formats first, as for every picture


def test_a_speakers_page_shows_the_portrait_first_and_shares_it(app, client, speaker_with_portrait):
    html = client.get("/speakers/hedy").get_data(as_text=True)
    images = portraits(html)
    assert images, html
    first = images[0]
    assert_responsive(first, "12rem")
    assert 'fetchpriority="high"' in first and 'loading="lazy"' not in first
    assert re.search(r'<meta property="og:image" content="https?://[^"]+/media/', html)
    # The author page keeps the library's alt text: there the picture is the subject.
    author = client.get("/authors/hedy").get_data(as_text=True)
    assert 'alt="Hedy Lamarr at her workbench"' in author


def test_sessions_show_small_portraits_beside_the_speakers_names(
    app, client, speaker_with_portrait
):
    for url in ("/events/summit/programme", "/events/summit", "/speakers/grace"):
        html = client.get(url).get_data(as_text=True)
        avatars = [img for img in portraits(html) if 'sizes="2rem"' in img]
        assert len(avatars) == 1, url  # Hedy's; Grace has no portrait
        assert_responsive(avatars[0], "2rem")
        assert 'loading="lazy"' in avatars[0], url
        link = re.search(r'<a href="/speakers/hedy"><span class="avatar">.*?</a>', html, re.S)
        assert link and link.group(0).endswith("Hedy Lamarr</a>"), url
        assert '<a href="/speakers/grace">Grace Hopper</a>' in html, url


def test_a_new_portrait_takes_the_old_ones_place_on_speaker_pages(
    app, client, speaker_with_portrait
):
    before = set(portraits(client.get("/speakers/").get_data(as_text=True)))
    with app.app_context():
        item = db.session.get(MediaItem, speaker_with_portrait)
        old = {variant.sha256 for variant in item.variants}
    marketing, _ = signed_in_client(app, "marketing")
    values = {"name": "Hedy Lamarr", "slug": "hedy", "new_image_alt": "Hedy, later"}
    assert (
        post_editor(
            marketing, "/staff/authors/hedy/edit", values, ("b.png", png(500, 600, (9, 9, 9)))
        ).status_code
        == 302
    )
    after = client.get("/speakers/").get_data(as_text=True)
    assert set(portraits(after)) != before
    assert not any(sha in after for sha in old)
