"""The media library as staff and visitors meet it: uploads through the real form, refusals
that store nothing, metadata gone from every served variant, public pages with responsive
images and og:image, immutable image URLs."""

import io
import json
import re

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from app.extensions import db
from app.models import Article, MediaBlob, MediaItem, MediaVariant
from tests.support.factories import create_article, create_author, create_event
from tests.support.forms import form_token
from tests.support.images import (
    GPS_IFD,
    SVG_WITH_SCRIPT,
    in_format,
    jpeg_with_gps,
    png,
    png_bomb,
    truncated_jpeg,
)
from tests.support.staff import signed_in_client


def post_multipart(client, url: str, data: dict):
    """POST `data` as multipart/form-data, the body encoded in memory (the test client would
    spool a large one to a temporary file it never closes)."""
    boundary, body = encode_multipart(MultiDict(data))
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def upload(client, files, alt="A blue and red test card", **fields):
    """POST the upload form as a browser does: token from the page, files as multipart."""
    token = form_token(client, "/staff/media/")
    data = [("csrf_token", token), ("alt", alt), ("caption", ""), ("credit", "")]
    data += list(fields.items())
    data += [("file", FileStorage(io.BytesIO(content), name)) for name, content in files]
    return post_multipart(client, "/staff/media/", data)


def stored_counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (MediaItem, MediaVariant, MediaBlob)
        )


def variant_urls(html: str) -> set[str]:
    return set(re.findall(r"(/media/[0-9a-f]{64}\.(?:avif|webp|jpg|png))", html))


@pytest.fixture
def marketing(app):
    client, _ = signed_in_client(app, "marketing")
    return client


def test_an_uploaded_jpeg_loses_its_gps_and_stands_up_in_every_variant(app, marketing):
    response = upload(marketing, [("holiday.jpg", jpeg_with_gps(600, 300, orientation=6))])
    assert response.status_code == 302, response.get_data(as_text=True)
    item_page = marketing.get(response.headers["Location"])
    html = item_page.get_data(as_text=True)
    assert item_page.status_code == 200
    assert "300 × 600 px" in html  # turned upright: the camera held it sideways

    urls = variant_urls(html)
    assert {url.rsplit(".", 1)[1] for url in urls} >= {"webp", "jpg"}
    visitor = app.test_client()
    for url in urls:
        served = visitor.get(url)
        assert served.status_code == 200, url
        image = Image.open(io.BytesIO(served.data))
        assert image.width < image.height, url  # portrait, as the picture really is
        exif = image.getexif()
        assert not exif.get_ifd(GPS_IFD) and len(exif) == 0, url
        for key in ("exif", "xmp", "comment", "icc_profile", "XML:com.adobe.xmp"):
            assert key not in image.info, (url, key)
        assert b"SERIAL-123456" not in served.data and b"secret site" not in served.data


def test_image_urls_are_immutable_with_an_etag(app, marketing):
    response = upload(marketing, [("card.png", png())])
    html = marketing.get(response.headers["Location"]).get_data(as_text=True)
    url = sorted(variant_urls(html))[0]
    visitor = app.test_client()
    first = visitor.get(url)
    assert first.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert first.headers["ETag"]
    again = visitor.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert visitor.get("/media/" + "0" * 64 + ".jpg").status_code == 404
    # Kept by the page cache like a page: the next visitor is answered before Flask runs.
    assert app.test_client().get(url).headers.get("X-Cache") == "HIT"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.jpg", b"These are my notes, not a picture.\n" * 20, "not an image we accept"),
        ("logo.svg", SVG_WITH_SCRIPT, "SVG and other formats are refused"),
        ("huge.png", png_bomb(), "more than 40 megapixels"),
        ("huge-small.png", png_bomb(rows=2_000), "more than 40 megapixels"),
        ("cut.jpg", truncated_jpeg(), "damaged or incomplete"),
    ],
    ids=[
        "text-named-jpg",
        "svg-with-script",
        "30000x30000-png",
        "30000x30000-png-of-a-few-kb",
        "truncated-jpeg",
    ],
)
def test_bad_files_are_refused_with_a_message_and_leave_nothing(
    app, marketing, name, content, message
):
    response = upload(marketing, [("fine.png", png()), (name, content)])
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html and name in html
    assert "Nothing was saved" in html
    assert stored_counts(app) == (0, 0, 0)  # the good file beside it was not kept either


def test_a_file_over_the_byte_limit_is_refused(app, marketing):
    app.config["MEDIA_MAX_BYTES"] = 5_000
    response = upload(marketing, [("big.png", png(1200, 1200, (1, 2, 3)) + b"\0" * 6000)])
    assert response.status_code in (200, 413)
    assert "larger than" in response.get_data(as_text=True)
    assert stored_counts(app) == (0, 0, 0)


def test_a_body_over_the_upload_limit_is_refused_from_its_length_alone(app, marketing):
    app.config["MEDIA_MAX_BYTES"] = 1_000
    token = form_token(marketing, "/staff/media/")
    body = b"x" * 600_000
    response = post_multipart(
        marketing,
        "/staff/media/",
        [("csrf_token", token), ("alt", "x"), ("file", FileStorage(io.BytesIO(body), "big.jpg"))],
    )
    assert response.status_code == 413
    assert "The upload is larger than" in response.get_data(as_text=True)
    assert stored_counts(app) == (0, 0, 0)


def test_uploads_above_the_sites_usual_one_megabyte_are_accepted(app, marketing):
    noisy = Image.effect_noise((1400, 1400), 80).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, "PNG")
    assert len(out.getvalue()) > 1024 * 1024
    assert upload(marketing, [("noise.png", out.getvalue())]).status_code == 302


def test_alt_text_is_required_unless_the_image_is_decorative(app, marketing):
    response = upload(marketing, [("card.png", png())], alt="")
    assert response.status_code == 200
    assert "mark it decorative" in response.get_data(as_text=True)
    assert stored_counts(app) == (0, 0, 0)
    assert upload(marketing, [("card.png", png())], alt="", decorative="y").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(MediaItem.decorative)) is True


def test_several_files_at_once(app, marketing):
    response = upload(marketing, [("a.png", png(color=(1, 2, 3))), ("b.png", png(color=(9, 9, 9)))])
    assert response.status_code == 302
    assert stored_counts(app)[0] == 2


def test_the_staff_role_may_look_but_not_upload(app):
    client, _ = signed_in_client(app, "staff")
    assert client.get("/staff/media/").status_code == 200
    assert upload(client, [("card.png", png())]).status_code == 403
    assert stored_counts(app) == (0, 0, 0)


def test_an_image_in_use_cannot_be_deleted(app, marketing):
    upload(marketing, [("card.png", png())])
    with app.app_context():
        item_id = db.session.scalar(select(MediaItem.id))
        create_article(title="Cooling towers at dawn", image_id=item_id)
        create_article(title="Inline use", body=f"Look: ![towers](media:{item_id})")
        db.session.commit()
    token = form_token(marketing, f"/staff/media/{item_id}")
    response = marketing.post(f"/staff/media/{item_id}/delete", data={"csrf_token": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "in use and was not deleted" in html
    assert "Cooling towers at dawn" in html and "Inline use" in html
    assert stored_counts(app)[0] == 1


def test_an_unused_image_is_deleted_with_its_files(app, marketing):
    upload(marketing, [("card.png", png())])
    with app.app_context():
        item_id = db.session.scalar(select(MediaItem.id))
    token = form_token(marketing, f"/staff/media/{item_id}")
    response = marketing.post(f"/staff/media/{item_id}/delete", data={"csrf_token": token})
    assert response.status_code == 302
    assert stored_counts(app) == (0, 0, 0)


def test_replacing_keeps_the_pages_and_changes_the_urls(app, marketing):
    upload(marketing, [("card.png", png(color=(10, 10, 10)))])
    with app.app_context():
        item_id = db.session.scalar(select(MediaItem.id))
        create_article(slug="towers", image_id=item_id, body=f"![x](media:{item_id})")
        db.session.commit()
    before = variant_urls(app.test_client().get("/blog/towers").get_data(as_text=True))
    token = form_token(marketing, f"/staff/media/{item_id}")
    new_file = FileStorage(io.BytesIO(png(color=(200, 0, 0))), "new.png")
    response = post_multipart(
        marketing, f"/staff/media/{item_id}/replace", [("csrf_token", token), ("file", new_file)]
    )
    assert response.status_code == 302
    after_html = app.test_client().get("/blog/towers").get_data(as_text=True)
    after = variant_urls(after_html)
    assert after and not (after & before)
    for url in before:
        assert app.test_client().get(url).status_code == 404


def test_public_pages_carry_responsive_images_and_og_image(app, marketing):
    upload(marketing, [("hall.jpg", jpeg_with_gps(1600, 900, orientation=1))], alt="A data hall")
    with app.app_context():
        item_id = db.session.scalar(select(MediaItem.id))
        author = create_author(slug="ingrid", image_id=item_id)
        create_article(slug="halls", author=author, image_id=item_id)
        create_event(slug="trip", image_id=item_id)
        db.session.commit()
    visitor = app.test_client()
    for url in ("/", "/blog/", "/events/", "/blog/halls", "/events/trip", "/authors/ingrid"):
        html = visitor.get(url).get_data(as_text=True)
        img = re.search(r"<img [^>]*>", html)
        assert img, url
        tag = img.group(0)
        for attribute in ("srcset=", "sizes=", 'width="1600"', 'height="900"', 'alt="A data hall"'):
            assert attribute in tag, (url, attribute)
        assert '<source type="image/webp"' in html, url
    article = visitor.get("/blog/halls").get_data(as_text=True)
    og = re.search(r'<meta property="og:image" content="([^"]+)"', article).group(1)
    assert og.startswith("http://northlight.test/media/") and og.endswith(".jpg")
    assert (
        Image.open(io.BytesIO(visitor.get(og.removeprefix("http://northlight.test")).data)).width
        == 1200
    )
    assert 'property="og:image:alt" content="A data hall"' in article
    assert 'fetchpriority="high"' in article  # the cover above the fold is not lazy
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', article, re.S).group(1)
    )
    assert data["image"] == og
    event = visitor.get("/events/trip").get_data(as_text=True)
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', event, re.S).group(1)
    )
    assert data["image"] == og


def test_markdown_places_a_library_image_and_drops_others(app, marketing):
    upload(marketing, [("card.png", png())], alt="Library alt")
    with app.app_context():
        item_id = db.session.scalar(select(MediaItem.id))
        create_article(
            slug="inline",
            body=f"![Written alt](media:{item_id})\n\n![x](https://tracker.example/p.gif)"
            "\n\n![<script>](media:999)",
        )
        db.session.commit()
        html = db.session.scalar(select(Article.body_html).where(Article.slug == "inline"))
    assert "<picture>" in html and 'alt="Written alt"' in html and 'loading="lazy"' in html
    assert "tracker.example" not in html and "media:999" not in html and "<script" not in html


def test_media_dir_keeps_files_on_disk(app, marketing, tmp_path):
    app.config["MEDIA_DIR"] = str(tmp_path)
    response = upload(marketing, [("card.png", png())])
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(MediaBlob.data.is_not(None))) == 0
    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert files
    html = marketing.get(response.headers["Location"]).get_data(as_text=True)
    for url in variant_urls(html):
        assert app.test_client().get(url).status_code == 200


def test_the_article_editor_picks_a_cover_image(app, marketing):
    upload(marketing, [("hall.png", png())], alt="A hall of racks")
    with app.app_context():
        item_id = db.session.scalar(select(MediaItem.id))
        author_id = create_author().id
        db.session.commit()
    page = marketing.get("/staff/articles/new").get_data(as_text=True)
    assert re.search(r'<select[^>]*name="image"', page)
    assert f'<option value="{item_id}">' in page
    data = {
        "title": "Racks",
        "slug": "racks",
        "summary": "Rows of them.",
        "body": "Text.",
        "author_id": str(author_id),
        "status": "published",
        "published_at": "",
        "timezone": "UTC",
        "save": "Save",
        "csrf_token": form_token(marketing, "/staff/articles/new"),
    }
    refused = marketing.post("/staff/articles/new", data={**data, "image": "999"})
    assert refused.status_code == 200 and "Not a valid choice" in refused.get_data(as_text=True)
    saved = marketing.post("/staff/articles/new", data={**data, "image": str(item_id)})
    assert saved.status_code == 302
    html = app.test_client().get("/blog/racks").get_data(as_text=True)
    assert 'alt="A hall of racks"' in html and "<picture>" in html


@pytest.mark.parametrize("fmt", ["WEBP", "GIF", "PNG"])
def test_webp_gif_and_png_are_accepted_by_content(app, marketing, fmt):
    # Named .bin on purpose: the content decides, not the name.
    assert upload(marketing, [("picture.bin", in_format(fmt))]).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(MediaItem.original_format)) == fmt.lower()
