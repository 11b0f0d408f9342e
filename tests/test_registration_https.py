"""The attendee's pages over https, as production serves them: Flask-WTF then insists on a
same-origin Referer for every POST, so each page with a form must let the browser send one."""

from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient

from app.extensions import db
from tests.support.factories import create_event, create_session, make_event
from tests.support.forms import csrf_token_from, register
from tests.support.settings import FORM_SETTINGS

SITE = "https://northlight.test"


@pytest.fixture
def app_settings():
    return {**FORM_SETTINGS, "SITE_URL": SITE}


class HttpsClient(FlaskClient):
    """A test client that behaves like a browser on https://northlight.test: relative URLs go
    there, and a POST carries the Referer a browser would send from the page last shown,
    under that page's Referrer-Policy."""

    last_page: tuple[str, str] | None = None

    def open(self, *args, **kwargs):
        if not (args and isinstance(args[0], str)):
            return super().open(*args, **kwargs)
        url = args[0] if args[0].startswith(SITE) else SITE + args[0]
        method = kwargs.get("method", "GET")
        headers = dict(kwargs.pop("headers", None) or {})
        if method == "POST" and self.last_page and "Referer" not in headers:
            referer = referer_sent(self.last_page[1], self.last_page[0], url)
            if referer:
                headers["Referer"] = referer
        response = super().open(url, *args[1:], headers=headers, **kwargs)
        if method == "GET" and response.mimetype == "text/html":
            self.last_page = (url, response.headers["Referrer-Policy"])
        return response


@pytest.fixture
def client(app):
    app.test_client_class = HttpsClient
    return app.test_client()


def referer_sent(policy: str, page_url: str, target_url: str) -> str | None:
    """The Referer a browser sends from `page_url` to `target_url` under `policy` (W3C
    Referrer Policy, for an https page; the policies this site may use)."""
    page, target = urlsplit(page_url), urlsplit(target_url)
    same_origin = (page.scheme, page.netloc) == (target.scheme, target.netloc)
    if policy == "no-referrer":
        return None
    if policy == "same-origin":
        return page_url if same_origin else None
    if policy == "strict-origin-when-cross-origin":
        return page_url if same_origin else f"{page.scheme}://{page.netloc}/"
    raise AssertionError(f"unexpected Referrer-Policy {policy!r}")


def test_an_attendee_can_cancel_over_https_with_the_referer_their_browser_sends(app, client):
    slug = make_event(app)
    token = register(client, slug)
    cancel_url = f"{SITE}/registrations/{token}/cancel"
    page = client.get(cancel_url)
    assert page.status_code == 200
    policy = page.headers["Referrer-Policy"]
    # The manage token in this page's URL never goes to another site.
    elsewhere = referer_sent(policy, cancel_url, "https://tracker.example/pixel.gif")
    assert elsewhere is None or token not in elsewhere
    response = client.post(cancel_url, data={"csrf_token": csrf_token_from(page.text)})
    assert "the form had expired" not in response.text
    assert response.status_code == 303
    assert response.headers["Location"] == f"/registrations/{token}?cancelled=1"
    assert "Your registration is cancelled." in client.get(response.headers["Location"]).text


def post_from(client, page_url: str, action: str, **fields):
    """Open `page_url` as a browser would, then post its form (with the page's CSRF token)."""
    page = client.get(page_url)
    assert page.status_code == 200
    return client.post(action, data={"csrf_token": csrf_token_from(page.text), **fields})


def test_the_agenda_form_on_the_manage_page_saves_over_https(app, client):
    with app.app_context():
        event = create_event(slug="conf")
        talk = create_session(event, title="A talk")
        db.session.commit()
        talk_id = talk.id
    token = register(client, "conf")
    manage_url = f"{SITE}/registrations/{token}"
    response = post_from(client, manage_url, f"{manage_url}/agenda", session_ids=str(talk_id))
    assert "the form had expired" not in response.text
    assert response.status_code == 303
    assert "Your agenda is saved." in client.get(response.headers["Location"]).text
    # With a form on it the page lets the browser send a Referer, but only to this site.
    policy = client.get(manage_url).headers["Referrer-Policy"]
    assert referer_sent(policy, manage_url, "https://tracker.example/pixel.gif") is None


@pytest.mark.parametrize(
    ("page", "fields", "location"),
    [
        ("marketing", {"marketing_opt_in": "yes"}, "/registrations/{token}?marketing=yes"),
        ("erase", {}, "/registrations/erased"),
        ("release", {}, "/registrations/{token}?cancelled=1"),
        # Issue 13: the attendee's own change of details.
        ("edit", {"name": "Ada King"}, "/registrations/{token}?details=saved"),
    ],
)
def test_the_privacy_forms_work_over_https(app, client, page, fields, location):
    slug = make_event(app)
    token = register(client, slug)
    url = f"{SITE}/registrations/{token}/{page}"
    response = post_from(client, url, url, **fields)
    assert "the form had expired" not in response.text
    assert response.status_code == 303
    assert response.headers["Location"] == location.format(token=token)
