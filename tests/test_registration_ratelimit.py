"""Registration POSTs are limited per client address; reading the form never is."""

import pytest

from tests.support.factories import make_event
from tests.support.forms import open_form, submit
from tests.support.settings import FORM_SETTINGS


@pytest.fixture
def app_settings():
    return {**FORM_SETTINGS, "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}


def test_the_eleventh_post_in_a_minute_gets_a_friendly_429(app, client):
    slug = make_event(app, capacity=None)
    hidden = open_form(client, slug)
    for n in range(10):
        assert submit(client, slug, hidden=hidden, email=f"p{n}@example.com").status_code == 303
    response = submit(client, slug, hidden=hidden, email="p10@example.com")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "60"  # as the page says: wait a minute
    assert "X-RateLimit-Remaining" not in response.headers
    html = response.get_data(as_text=True)
    assert "Too many requests" in html and "Please wait a minute and try again" in html
    assert client.get(f"/events/{slug}/register").status_code == 200  # GET is not limited
    other = app.test_client()  # another address is not affected
    response = other.post(
        f"/events/{slug}/register",
        data={**open_form(other, slug), "name": "Other", "email": "o@example.com", "consent": "y"},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert response.status_code == 303


@pytest.mark.parametrize("app_settings", [{**FORM_SETTINGS, "RATELIMIT_ENABLED": False}])
def test_the_limit_can_be_switched_off_for_load_tests(app, client, app_settings):
    slug = make_event(app, capacity=None)
    hidden = open_form(client, slug)
    for n in range(12):
        assert submit(client, slug, hidden=hidden, email=f"p{n}@example.com").status_code == 303
