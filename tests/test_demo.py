"""The demo content: its files, `flask seed`, and what a visitor sees of it."""

import io
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.demo import loader
from app.demo.pictures import portrait_background
from app.demo.seed import seed_demo_content
from app.extensions import db
from app.models import Article, Author, Event, MediaBlob, Tag

DEMO_DIR = Path(loader.__file__).parent
LOADERS = {
    "authors": (loader.load_authors, loader.AUTHOR_KEYS, "bio"),
    "articles": (loader.load_articles, loader.ARTICLE_KEYS, "body"),
    "events": (loader.load_events, loader.EVENT_KEYS, "description"),
}


@pytest.mark.parametrize("folder", LOADERS)
def test_loader_reads_every_demo_file_with_its_keys(folder):
    load, keys, text_key = LOADERS[folder]
    files = sorted(path.stem for path in (DEMO_DIR / folder).glob("*.md"))
    items = load()
    assert files and [item["slug"] for item in items] == files
    for item in items:
        assert set(item) == set(keys) | {"slug", text_key}
        assert item[text_key].strip(), item["slug"]
        assert item.get("title", item.get("name")), item["slug"]


def test_every_md_file_under_app_demo_is_loaded():
    loaded = sum(len(load()) for load, _keys, _text in LOADERS.values())
    assert loaded == len(list(DEMO_DIR.rglob("*.md")))


def test_demo_content_refers_to_what_exists():
    authors = {author["slug"] for author in loader.load_authors()}
    articles = loader.load_articles()
    events = loader.load_events()
    assert {article["author"] for article in articles} <= authors
    assert [article["draft"] for article in articles].count(True) == 1
    assert all(article["tags"] for article in articles)
    for event in events:
        ZoneInfo(event["timezone"])
        assert event["kind"] in ("field_trip", "conference")
    starts = sorted(event["starts_in_days"] for event in events)
    assert starts[0] < 0 < starts[1]  # one past event, the others upcoming


def test_loader_finds_its_files_from_any_working_directory(tmp_path):
    root = Path(__file__).resolve().parent.parent
    code = "from app.demo.loader import load_events; print(len(load_events()))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={"PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(result.stdout) == len(loader.load_events()) > 0


@pytest.mark.parametrize(
    ("front_matter", "message"),
    [
        ("name: Ana\n", "missing keys ['social_handle']"),
        ("name: Ana\nsocial_handle:\nrole: x\n", "unknown ['role']"),
        ("name: Ana\nname: Bo\nsocial_handle:\n", "'name' is given twice"),
        ("name Ana\nsocial_handle:\n", "not a 'key: value' line"),
    ],
)
def test_a_malformed_demo_file_is_an_error_that_names_it(tmp_path, front_matter, message):
    path = tmp_path / "ana.md"
    path.write_text(f"---\n{front_matter}---\nBio.\n", encoding="utf-8")
    with pytest.raises(loader.DemoContentError, match="ana.md") as error:
        loader.load_file(path, loader.AUTHOR_KEYS, "bio")
    assert message in str(error.value)


def test_a_file_without_front_matter_is_an_error(tmp_path):
    path = tmp_path / "ana.md"
    path.write_text("Bio only.\n", encoding="utf-8")
    with pytest.raises(loader.DemoContentError, match="does not start with"):
        loader.load_file(path, loader.AUTHOR_KEYS, "bio")


def row_counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Author, Article, Event, Tag)
    }


def test_seed_twice_adds_rows_only_once(app, runner):
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    with app.app_context():
        after_first = row_counts()
    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0, second.output
    assert "(0 new rows)" in second.output
    with app.app_context():
        assert row_counts() == after_first
    assert after_first["Author"] == len(loader.load_authors())
    assert after_first["Article"] == len(loader.load_articles())
    assert after_first["Event"] == len(loader.load_events())
    assert after_first["Tag"] > 0
    created = after_first["Author"] + after_first["Article"] + after_first["Event"]
    assert f"({created} new rows)" in first.output  # tags come along, uncounted as before


def test_demo_dates_are_relative_to_the_day_of_seeding(app):
    today = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
    with app.app_context():
        seed_demo_content(today)
        db.session.commit()
        trip = db.session.scalar(
            select(Event).where(Event.slug == "geothermal-compute-iceland-data-centre-field-trip")
        )
        assert trip.starts_at.astimezone(UTC) == datetime(2030, 4, 15, 9, 0, tzinfo=UTC)
        past = db.session.scalar(
            select(Event).where(Event.slug == "inside-a-french-supercomputing-centre")
        )
        assert past.starts_at.astimezone(UTC) < today
        article = db.session.scalar(
            select(Article).where(Article.slug == "how-france-is-building-its-ai-compute-backbone")
        )
        assert article.published_at.astimezone(UTC) == today - timedelta(days=12)


@pytest.mark.parametrize("event", loader.load_events(), ids=lambda event: event["slug"])
def test_a_demo_event_page_shows_what_to_bring_once(app, runner, client, event):
    assert runner.invoke(args=["seed"]).exit_code == 0
    html = client.get(f"/events/{event['slug']}").get_data(as_text=True)
    assert html.count(">What to bring</h2>") == (1 if event["what_to_bring"] else 0)
    assert event["what_to_bring"] in html


def test_every_demo_author_has_a_portrait_in_the_colour_its_alt_text_names(app, runner):
    assert runner.invoke(args=["seed"]).exit_code == 0
    with app.app_context():
        authors = db.session.scalars(select(Author)).all()
        assert authors
        for author in authors:
            assert author.image is not None, author.slug
            colour = portrait_background(author.image.alt)
            blob = db.session.get(MediaBlob, author.image.original_sha256)
            corner = Image.open(io.BytesIO(blob.data)).convert("RGB").getpixel((5, 5))
            assert corner == colour, (author.slug, author.image.alt, corner)
