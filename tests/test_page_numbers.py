"""Page numbers from the query string: whatever is typed, a list answers with a page or a 404."""

import pytest

from app.extensions import db
from tests.support.factories import create_article, create_event
from tests.support.staff import create_registration, signed_in_client

HUGE = "99999999999999999999"


@pytest.fixture
def event_slug(app):
    with app.app_context():
        event = create_event(slug="paged")
        create_registration(event)
        db.session.commit()
    return "paged"


@pytest.fixture
def admin(app):
    return signed_in_client(app, "admin")[0]


@pytest.mark.parametrize("page", [HUGE, "9223372036854775808", "100001", "0", "-1", "1e3", "x"])
def test_out_of_range_or_malformed_blog_page_is_not_found(app, client, page):
    with app.app_context():
        create_article()
        db.session.commit()
    assert client.get(f"/blog/?page={page}").status_code == 404


@pytest.mark.parametrize(
    "path", ["/staff/events/paged/attendees", "/staff/outbox/", "/staff/audit"]
)
@pytest.mark.parametrize("page", [HUGE, "100001", "0"])
def test_out_of_range_staff_list_page_is_not_found(app, admin, event_slug, path, page):
    assert admin.get(f"{path}?page={page}").status_code == 404


@pytest.mark.parametrize(
    "path", ["/blog/", "/staff/events/paged/attendees", "/staff/outbox/", "/staff/audit"]
)
def test_first_page_is_served_with_or_without_the_parameter(app, admin, event_slug, path):
    assert admin.get(path).status_code == 200
    assert admin.get(f"{path}?page=1").status_code == 200
