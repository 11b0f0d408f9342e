"""The public site as a visitor sees it."""

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import feedparser
import pytest

from app.db import utcnow
from app.extensions import db
from tests.support.factories import create_article, create_author, create_event

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def seeded(app, runner):
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    return app


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/blog/",
        "/blog/how-france-is-building-its-ai-compute-backbone",
        "/blog/tags/iceland",
        "/authors/ingrid-solvang",
        "/events/",
        "/events/geothermal-compute-iceland-data-centre-field-trip",
        "/privacy",
    ],
)
def test_public_pages_have_title_description_and_open_graph(seeded, client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r"<title>[^<]+</title>", html)
    assert re.search(r'<meta name="description" content="[^"]{20,}">', html)
    for prop in ("og:title", "og:description", "og:type", "og:url"):
        assert f'property="{prop}"' in html
    assert 'lang="en"' in html


def test_seed_twice_adds_nothing_the_second_time(seeded, runner):
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0
    assert "0 new rows" in result.output


def test_home_shows_next_events_and_latest_articles(seeded, client):
    html = client.get("/").get_data(as_text=True)
    assert "Geothermal Compute: Iceland Data Centre Field Trip" in html
    assert "Ascent: AI and Compute Summit Berlin" in html
    assert "Inside a French Supercomputing Centre" not in html  # past
    assert "How France Is Building Its AI Compute Backbone" in html


def test_blog_is_newest_first_and_paginated(app, client):
    with app.app_context():
        author = create_author()
        now = utcnow()
        for day in range(12):
            create_article(
                title=f"Post {day:02d}",
                slug=f"post-{day:02d}",
                author=author,
                published_at=now - timedelta(days=day),
            )
        db.session.commit()
    first = client.get("/blog/").get_data(as_text=True)
    assert first.index("Post 00") < first.index("Post 09")
    assert "Post 10" not in first
    assert "Page 1 of 2" in first
    second = client.get("/blog/?page=2").get_data(as_text=True)
    assert "Post 10" in second and "Post 11" in second
    assert client.get("/blog/?page=3").status_code == 404


def test_article_page_shows_author_reading_time_tags_and_related(app, client):
    with app.app_context():
        author = create_author(name="Ada Byte", slug="ada-byte", bio="Ada writes about cooling.")
        create_article(
            title="Main story",
            slug="main",
            author=author,
            tags=["gpus", "energy"],
            body="word " * 660,
        )
        create_article(title="Shares two", slug="two", tags=["gpus", "energy"])
        create_article(title="Shares one", slug="one", tags=["energy"])
        create_article(title="Shares none", slug="none", tags=["policy"])
        db.session.commit()
    html = client.get("/blog/main").get_data(as_text=True)
    assert "<h1>Main story</h1>" in html
    assert "Ada writes about cooling." in html
    assert 'href="/authors/ada-byte"' in html
    assert "3 min read" in html
    assert 'href="/blog/tags/gpus"' in html
    related = html[html.index("Related articles") :]
    assert related.index("Shares two") < related.index("Shares one")
    assert "Shares none" not in related
    assert '"@type": "BlogPosting"' in html or '"@type":"BlogPosting"' in html


def test_markdown_is_rendered_and_sanitised(app, client):
    with app.app_context():
        create_article(
            slug="md",
            body="## Heading\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) *em*",
        )
        db.session.commit()
    html = client.get("/blog/md").get_data(as_text=True)
    assert "<h2>Heading</h2>" in html
    assert "<em>em</em>" in html
    assert "<script>alert(1)</script>" not in html
    assert 'href="javascript:' not in html


@pytest.mark.parametrize("kind", ["article", "event"])
def test_drafts_and_scheduled_items_are_invisible(app, client, kind):
    with app.app_context():
        if kind == "article":
            create_article(slug="draft-one", status="draft", published_at=None)
            create_article(slug="later-one", published_at=utcnow() + timedelta(hours=1))
            prefix = "/blog/"
        else:
            create_event(slug="draft-one", status="draft", published_at=None)
            create_event(slug="later-one", published_at=utcnow() + timedelta(hours=1))
            prefix = "/events/"
        db.session.commit()
    for slug in ("draft-one", "later-one"):
        assert client.get(prefix + slug).status_code == 404
        assert slug not in client.get(prefix).get_data(as_text=True)
        assert slug not in client.get("/sitemap.xml").get_data(as_text=True)
        assert slug not in client.get("/blog/feed.xml").get_data(as_text=True)


def test_events_page_separates_upcoming_and_past(seeded, client):
    html = client.get("/events/").get_data(as_text=True)
    upcoming, past = html.split('id="past"')
    assert "Geothermal Compute" in upcoming
    assert "Inside a French Supercomputing Centre" in past


def test_event_page_shows_kind_local_time_zone_venue_seats_and_register_link(app, client):
    from datetime import UTC, datetime

    with app.app_context():
        create_event(
            slug="trip",
            kind="field_trip",
            title="Lava and Racks",
            starts_at=datetime(2031, 1, 14, 9, 0, tzinfo=UTC),
            timezone="Atlantic/Reykjavik",
            venue="Campus One",
            city="Reykjanesbær",
            country="Iceland",
            capacity=12,
            seats_taken=5,
        )
        db.session.commit()
    html = client.get("/events/trip").get_data(as_text=True)
    assert "Field trip" in html
    assert "Tue 14 January 2031, 09:00" in html
    assert "Atlantic/Reykjavik, GMT" in html
    assert "Campus One" in html and "Reykjanesbær" in html
    assert "7 of 12 left" in html
    assert 'href="/events/trip/register"' in html
    assert '"remainingAttendeeCapacity": 7' in html
    assert '"startDate": "2031-01-14T09:00:00+00:00"' in html


def test_berlin_event_is_shown_in_berlin_time(app, client):
    from datetime import UTC, datetime

    with app.app_context():
        create_event(slug="berlin", starts_at=datetime(2031, 7, 1, 7, 30, tzinfo=UTC))
        db.session.commit()
    html = client.get("/events/berlin").get_data(as_text=True)
    assert "09:30" in html and "Europe/Berlin, CEST" in html
    assert '"startDate": "2031-07-01T09:30:00+02:00"' in html


def test_closed_and_cancelled_events_say_so(app, client):
    with app.app_context():
        create_event(slug="full", capacity=2, seats_taken=2, waitlist_enabled=False)
        create_event(slug="off", status="cancelled")
        db.session.commit()
    full = client.get("/events/full").get_data(as_text=True)
    assert "This event is full and has no waiting list." in full
    assert "/events/full/register" not in full
    off = client.get("/events/off").get_data(as_text=True)
    assert "This event has been cancelled." in off
    assert "EventCancelled" in off


def test_atom_feed_is_valid_with_absolute_urls(seeded, client):
    response = client.get("/blog/feed.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.get_data())
    assert not feed.bozo, feed.get("bozo_exception")
    assert len(feed.entries) == 6
    for entry in feed.entries:
        assert entry.link.startswith("http://northlight.test/blog/")
        assert entry.author
    assert "Exascale in Plain Language" not in response.get_data(as_text=True)


def test_sitemap_lists_every_published_page_and_robots_points_at_it(seeded, client):
    root = ET.fromstring(client.get("/sitemap.xml").get_data())
    locations = {el.text for el in root.iter(f"{SITEMAP_NS}loc")}
    assert "http://northlight.test/" in locations
    assert "http://northlight.test/blog/how-france-is-building-its-ai-compute-backbone" in locations
    assert "http://northlight.test/events/inside-a-french-supercomputing-centre" in locations
    assert "http://northlight.test/authors/mathis-leroux" in locations
    assert "http://northlight.test/blog/tags/iceland" in locations
    assert (
        len([loc for loc in locations if "/blog/" in loc and "/tags/" not in loc]) == 7
    )  # index + 6
    robots = client.get("/robots.txt").get_data(as_text=True)
    assert "Sitemap: http://northlight.test/sitemap.xml" in robots


def test_every_sitemap_url_answers_200(seeded, client):
    root = ET.fromstring(client.get("/sitemap.xml").get_data())
    for el in root.iter(f"{SITEMAP_NS}loc"):
        path = el.text.removeprefix("http://northlight.test")
        assert client.get(path).status_code == 200, path


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_unknown_url_gets_styled_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page not found" in html
    assert "site.css" in html


def test_unexpected_error_gets_styled_500_that_leaks_nothing(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals: password=hunter2")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong" in html
    assert "hunter2" not in html and "Traceback" not in html


def test_seeded_articles_link_to_the_events_they_mention(seeded, client):
    html = client.get("/blog/why-ai-start-ups-are-looking-at-iceland").get_data(as_text=True)
    path = "/events/geothermal-compute-iceland-data-centre-field-trip"
    assert f'<a href="{path}"' in html
    assert client.get(path).status_code == 200
