"""Security headers on every response, and HTTP caching a browser can rely on."""

import re

import pytest

from app import create_app
from app.extensions import db
from tests.support.factories import create_article, create_event
from tests.support.settings import TEST_SETTINGS


@pytest.fixture
def content(app):
    with app.app_context():
        article = create_article(title="Cooling at scale", slug="cooling-at-scale")
        event = create_event(title="Reykjavik trip", slug="reykjavik-trip")
        db.session.commit()
        return {"article": article.slug, "event": event.slug}


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def stylesheet_url(html: str) -> str:
    match = re.search(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert match, "page links no stylesheet"
    return match.group(1)


PATHS = ["/", "/blog/", "/events/", "/privacy", "/blog/feed.xml", "/healthz", "/no-such-page"]


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_security_headers(client, content, path):
    response = client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    directives = csp_directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]


def test_the_policy_allows_nothing_inline_and_no_other_origin(client, content):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "http" not in policy
    assert "*" not in policy


def test_static_files_and_errors_carry_the_headers_too(client):
    html = client.get("/privacy").get_data(as_text=True)
    with client.get(stylesheet_url(html)) as css:
        assert css.status_code == 200
        assert css.headers["X-Content-Type-Options"] == "nosniff"
        assert "Content-Security-Policy" in css.headers
    not_allowed = client.post("/privacy")
    assert not_allowed.status_code == 405
    assert not_allowed.headers["X-Frame-Options"] == "DENY"


def test_no_strict_transport_security_over_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/privacy").headers


def test_strict_transport_security_when_the_site_is_https(database_url):
    app = create_app(
        {**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": database_url, "SITE_URL": "https://nl.test"}
    )
    response = app.test_client().get("/privacy")
    hsts = response.headers["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 180 * 24 * 3600
    with app.app_context():
        db.engine.dispose()


def test_templates_have_no_inline_script_or_style(client, content):
    # JSON-LD is data, not script: the policy does not apply to it, so it may stay inline.
    for path in ["/", "/blog/", f"/blog/{content['article']}", f"/events/{content['event']}"]:
        html = client.get(path).get_data(as_text=True)
        assert " style=" not in html
        assert "<style" not in html
        scripts = re.findall(r"<script([^>]*)>", html)
        assert all('type="application/ld+json"' in attrs for attrs in scripts), scripts
        assert not re.search(r"\son[a-z]+=", html)


@pytest.mark.parametrize("path", ["/", "/blog/", "/events/", "/privacy", "/blog/feed.xml"])
def test_public_pages_answer_a_repeat_visit_with_304(client, content, path):
    first = client.get(path)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache"
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag
    assert again.headers["X-Frame-Options"] == "DENY"


def test_a_changed_page_gets_a_new_etag(app, client, content):
    etag = client.get("/blog/").headers["ETag"]
    with app.app_context():
        create_article(title="A brand new article", slug="brand-new")
        db.session.commit()
    response = client.get("/blog/", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "A brand new article" in response.get_data(as_text=True)
    assert response.headers["ETag"] != etag


def test_head_requests_are_conditional_too(client, content):
    etag = client.get("/events/").headers["ETag"]
    assert client.head("/events/", headers={"If-None-Match": etag}).status_code == 304


def test_public_pages_set_no_cookie(client, content):
    for path in ["/", "/blog/", f"/blog/{content['article']}", f"/events/{content['event']}"]:
        response = client.get(path)
        assert "Set-Cookie" not in response.headers, path


def test_a_form_with_a_csrf_token_is_private_and_has_no_etag(client, content):
    response = client.get(f"/events/{content['event']}/register")
    assert response.status_code == 200
    assert "Set-Cookie" in response.headers
    assert "ETag" not in response.headers
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_a_visitor_with_a_session_cookie_still_gets_304s_on_reading_pages(client, content):
    client.get(f"/events/{content['event']}/register")  # the CSRF session cookie is now set
    first = client.get("/blog/")
    assert "Set-Cookie" not in first.headers
    again = client.get("/blog/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_error_pages_get_no_etag(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "ETag" not in response.headers


@pytest.mark.parametrize(
    "path", ["/staff/", "/staff/login", "/registrations/not-a-real-token", "/staff"]
)
def test_private_areas_are_never_stored(client, path):
    response = client.get(path)
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers


def test_hashed_static_files_are_cached_for_a_year(client):
    url = stylesheet_url(client.get("/privacy").get_data(as_text=True))
    assert "?v=" in url
    with client.get(url) as response:
        cache_control = response.headers["Cache-Control"]
    assert "immutable" in cache_control
    assert "max-age=31536000" in cache_control
    assert "public" in cache_control


def test_static_files_without_the_current_hash_are_revalidated(client):
    url = stylesheet_url(client.get("/privacy").get_data(as_text=True))
    bare = url.split("?")[0]
    for stale in (bare, bare + "?v=0123456789ab"):
        with client.get(stale) as response:
            assert response.status_code == 200
            assert "immutable" not in response.headers.get("Cache-Control", "")
            etag = response.headers["ETag"]
        with client.get(stale, headers={"If-None-Match": etag}) as again:
            assert again.status_code == 304


@pytest.mark.parametrize(
    ("app_settings", "secure"),
    [({"SITE_URL": "https://nl.test"}, True), ({"SITE_URL": "http://nl.test"}, False)],
)
def test_the_form_cookie_is_httponly_lax_and_secure_when_the_site_is_https(
    app, client, app_settings, secure
):
    with app.app_context():
        slug = create_event(slug="cookie-trip").slug
        db.session.commit()
    response = client.get(f"/events/{slug}/register", base_url=app_settings["SITE_URL"])
    cookie = response.headers["Set-Cookie"]
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert "httponly" in attributes
    assert "samesite=lax" in cookie.lower()
    assert ("secure" in attributes) is secure
