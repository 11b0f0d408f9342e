""" "Upload a new one" on the editors themselves (issue 12): the article and event editors'
cover image and the author editor's portrait take a new file with its alt text on the same
form, checked exactly like a library upload, in the same transaction as the page: a refusal
keeps what was typed and stores nothing."""

import io
import re

import pytest
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app.extensions import db
from app.models import Article, Author, Event, MediaItem
from tests.support.factories import create_article, create_author, create_event
from tests.support.forms import form_token
from tests.support.images import SVG_WITH_SCRIPT, png, png_bomb, truncated_jpeg
from tests.support.staff import signed_in_client
from tests.test_media import post_multipart, stored_counts
from tests.test_staff_editors import article_data, event_data

NOTHING = (0, 0, 0)


@pytest.fixture
def marketing(app):
    client, _ = signed_in_client(app, "marketing")
    return client


@pytest.fixture
def author_id(app):
    with app.app_context():
        author = create_author(name="Ingrid Solvang", slug="ingrid")
        db.session.commit()
        return author.id


def post_editor(client, url: str, values: dict, file=None, token: str | None = None):
    """POST an editor as a browser does: multipart, the token from the page, maybe a file."""
    data = [("csrf_token", token or form_token(client, url)), *values.items()]
    if file is not None:
        name, content = file
        data.append(("new_image", FileStorage(io.BytesIO(content), name)))
    else:
        data.append(("new_image", FileStorage(io.BytesIO(b""), "")))  # no file chosen
    return post_multipart(client, url, data)


def field_value(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'<input[^>]*value="([^"]*)"[^>]*name="{name}"', html
    )
    assert match, f"no value for {name}"
    return match.group(1)


def test_the_editors_offer_a_file_field_with_alt_text(app, marketing, author_id):
    with app.app_context():
        slug = create_event(slug="ascent").slug
        db.session.commit()
    for url in ("/staff/articles/new", f"/staff/events/{slug}/edit", "/staff/authors/new"):
        html = marketing.get(url).get_data(as_text=True)
        assert 'enctype="multipart/form-data"' in html, url
        assert re.search(r'<input[^>]*type="file"[^>]*name="new_image"', html) or re.search(
            r'<input[^>]*name="new_image"[^>]*type="file"', html
        ), url
        assert '<label for="new_image_alt">Alt text of the new image</label>' in html, url
        assert "<legend>Or upload a new one</legend>" in html, url
        assert re.search(r'<select[^>]*name="image"', html), url


def test_a_new_article_with_a_new_cover_shows_it_on_the_site(app, marketing, author_id):
    values = {**article_data(author_id, slug="warm-water"), "new_image_alt": "A hall of racks"}
    response = post_editor(marketing, "/staff/articles/new", values, ("hall.png", png()))
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        item = db.session.scalar(select(MediaItem))
        article = db.session.scalar(select(Article).where(Article.slug == "warm-water"))
        assert article.image_id == item.id and item.alt == "A hall of racks"
        assert item.filename == "hall.png" and item.variants
    # Back in the editor, the new image is the one chosen in the picker.
    editor = marketing.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(
        rf'<option selected value="{item.id}">|<option value="{item.id}" selected', editor
    )
    public = app.test_client().get("/blog/warm-water").get_data(as_text=True)
    assert "<picture>" in public and 'alt="A hall of racks"' in public
    assert re.search(r'<img[^>]*width="\d+"[^>]*height="\d+"', public)
    assert "og:image" in public


def test_a_new_upload_wins_over_the_picked_library_image(app, marketing, author_id):
    first = post_editor(
        marketing,
        "/staff/articles/new",
        {**article_data(author_id, slug="first"), "new_image_alt": "Blue"},
        ("blue.png", png(color=(0, 0, 200))),
    )
    assert first.status_code == 302
    with app.app_context():
        old_id = db.session.scalar(select(MediaItem.id))
    values = {**article_data(author_id, slug="second"), "image": str(old_id)}
    values["new_image_alt"] = "Red"
    second = post_editor(
        marketing, "/staff/articles/new", values, ("red.png", png(color=(200, 0, 0)))
    )
    assert second.status_code == 302
    with app.app_context():
        article = db.session.scalar(select(Article).where(Article.slug == "second"))
        assert article.image_id != old_id and article.image.alt == "Red"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.jpg", b"These are my notes, not a picture.\n" * 20, "not an image we accept"),
        ("logo.svg", SVG_WITH_SCRIPT, "SVG and other formats are refused"),
        ("huge.png", png_bomb(), "more than 40 megapixels"),
        ("cut.jpg", truncated_jpeg(), "damaged or incomplete"),
    ],
    ids=["text-named-jpg", "svg-with-script", "30000x30000-png", "truncated-jpeg"],
)
def test_a_bad_file_on_the_event_editor_is_refused_and_the_typing_kept(
    app, marketing, name, content, message
):
    with app.app_context():
        event = create_event(title="Ascent Summit", slug="ascent")
        db.session.commit()
        before = (event.title, event.image_id)
    values = event_data(title="Ascent Summit, renamed", slug="ascent", venue="Hall 7")
    values["new_image_alt"] = "The summit's main hall"
    response = post_editor(marketing, "/staff/events/ascent/edit", values, (name, content))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html and name in html and "Nothing was saved" in html
    # What was typed is still on the form; nothing of it, and nothing of the file, was kept.
    assert field_value(html, "title") == "Ascent Summit, renamed"
    assert field_value(html, "venue") == "Hall 7"
    assert field_value(html, "new_image_alt") == "The summit&#39;s main hall"
    assert stored_counts(app) == NOTHING
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "ascent"))
        assert (event.title, event.image_id) == before


def test_a_new_portrait_needs_alt_text_or_decorative(app, marketing):
    with app.app_context():
        create_author(name="Ingrid Solvang", slug="ingrid")
        db.session.commit()
    url = "/staff/authors/ingrid/edit"
    values = {"name": "Ingrid Solvang", "slug": "ingrid", "bio": "Builds cold data halls."}
    values["new_image_alt"] = ""
    refused = post_editor(marketing, url, values, ("ingrid.png", png(400, 500)))
    assert refused.status_code == 200
    html = refused.get_data(as_text=True)
    assert "Describe the new image in its alt text" in html
    assert "Builds cold data halls." in html
    assert stored_counts(app) == NOTHING

    values["new_image_decorative"] = "y"
    saved = post_editor(marketing, url, values, ("ingrid.png", png(400, 500)))
    assert saved.status_code == 302
    with app.app_context():
        author = db.session.scalar(select(Author).where(Author.slug == "ingrid"))
        assert author.image is not None and author.image.decorative and author.image.alt == ""


def test_a_good_file_is_not_kept_when_the_page_itself_is_refused(app, marketing, author_id):
    # An error on another field: the file passed, but it must be chosen again.
    values = {**article_data(author_id, title="", summary="Kept summary"), "new_image_alt": "A"}
    response = post_editor(marketing, "/staff/articles/new", values, ("hall.png", png()))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Enter a title." in html
    assert "Choose the file again" in html and "Kept summary" in html
    assert stored_counts(app) == NOTHING
    # An error the service finds after the image was added (a slug taken): rolled back too.
    with app.app_context():
        create_article(slug="taken", author=db.session.get(Author, author_id))
        db.session.commit()
    values = {**article_data(author_id, slug="taken"), "new_image_alt": "A"}
    response = post_editor(marketing, "/staff/articles/new", values, ("hall.png", png()))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Choose the file again" in html
    with app.app_context():
        assert db.session.scalar(select(MediaItem.id)) is None
    assert stored_counts(app) == NOTHING


def test_preview_does_not_upload(app, marketing, author_id):
    values = {**article_data(author_id), "new_image_alt": "A hall", "preview": "Preview"}
    del values["save"]
    response = post_editor(marketing, "/staff/articles/new", values, ("hall.png", png()))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Preview" in html
    assert "Choose the file again" in html
    assert stored_counts(app) == NOTHING


def test_an_editor_takes_an_upload_over_the_sites_usual_one_megabyte(app, marketing, author_id):
    noisy = Image.effect_noise((1400, 1400), 80).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, "PNG")
    assert len(out.getvalue()) > 1024 * 1024
    values = {**article_data(author_id, slug="noise"), "new_image_alt": "Grey noise"}
    response = post_editor(marketing, "/staff/articles/new", values, ("noise.png", out.getvalue()))
    assert response.status_code == 302


def test_an_editor_body_over_the_upload_limit_is_refused_from_its_length(app, marketing):
    app.config["MEDIA_MAX_BYTES"] = 1_000
    values = {**event_data(), "new_image_alt": "x"}
    response = post_editor(marketing, "/staff/events/new", values, ("big.jpg", b"x" * 600_000))
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "The upload is larger than" in html and "New event" in html
    assert stored_counts(app) == NOTHING


def test_the_editors_still_check_the_csrf_token(app, marketing, author_id):
    values = {**article_data(author_id), "new_image_alt": "A hall"}
    response = post_editor(marketing, "/staff/articles/new", values, ("h.png", png()), token="x")
    assert response.status_code == 400
    assert stored_counts(app) == NOTHING


def test_the_staff_role_cannot_upload_through_an_editor(app):
    client, _ = signed_in_client(app, "staff")
    response = post_multipart(
        client,
        "/staff/authors/new",
        [
            ("name", "X"),
            ("new_image_alt", "A"),
            ("new_image", FileStorage(io.BytesIO(png()), "a.png")),
        ],
    )
    assert response.status_code == 403
    assert stored_counts(app) == NOTHING
