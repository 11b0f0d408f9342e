"""Exports started from another site are refused: no file, no audit entry (issue 10, defect 8)."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry
from tests.support.factories import create_event
from tests.support.staff import create_registration, signed_in_client

EXPORTS = [
    "/staff/events/trip/attendees.csv",
    "/staff/events/trip/attendees.xlsx",
    "/staff/attendees.csv",
    "/staff/attendees.xlsx",
]


@pytest.fixture
def staff(app):
    with app.app_context():
        create_registration(create_event(slug="trip"), email="secret.person@example.com")
        db.session.commit()
    return signed_in_client(app, "staff")[0]


def audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry))


@pytest.mark.parametrize("url", EXPORTS)
def test_cross_site_export_is_refused_without_file_or_audit_entry(app, staff, url):
    before = audit_count(app)
    response = staff.get(url, headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
    assert b"secret.person" not in response.get_data()
    assert "attachment" not in response.headers.get("Content-Disposition", "")
    assert audit_count(app) == before


@pytest.mark.parametrize("url", EXPORTS)
@pytest.mark.parametrize("fetch_site", ["same-origin", "same-site", "none", None])
def test_same_site_links_typed_urls_and_scripts_still_download(app, staff, url, fetch_site):
    headers = {"Sec-Fetch-Site": fetch_site} if fetch_site else {}
    before = audit_count(app)
    response = staff.get(url, headers=headers)
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    response.get_data()
    response.close()
    assert audit_count(app) == before + 1
