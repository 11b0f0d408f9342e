"""Staff at work in a real browser: marketing moves an event, attendees hear of it by email,
and a staff member downloads the attendee list the browser saves as a file."""

import csv
import secrets
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.db import utcnow
from app.extensions import db
from app.models import Registration
from tests.browser.pages import text_of, wait_for_mail
from tests.browser.tours import MIN_FILL_MS, sign_in
from tests.support.factories import create_event

EXPORT_COLUMNS = [
    "name",
    "email",
    "company",
    "job_title",
    "dietary",
    "accessibility",
    "status",
    "waitlist_position",
    "registered_at",
    "cancelled_at",
    "checked_in_at",
    "consent_at",
    "marketing_opt_in",
    "event",
]


@pytest.fixture
def conference(site_app):
    """A published conference in Berlin, about five weeks away: (id, slug, title)."""
    suffix = secrets.token_hex(3)
    with site_app.app_context():
        event = create_event(
            title=f"Green Compute Forum {suffix}",
            slug=f"green-compute-forum-{suffix}",
            starts_at=utcnow() + timedelta(days=35),
            capacity=50,
        )
        db.session.commit()
        return event.id, event.slug, event.title


def register_in_browser(browser, live_site, slug: str, name: str, email: str) -> None:
    context = browser.new_context(base_url=live_site.url)
    page = context.new_page()
    page.goto(f"/events/{slug}/register")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("I have read the privacy notice").check()
    page.wait_for_timeout(MIN_FILL_MS)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("We have emailed the details of your registration")).to_be_visible()
    context.close()


def test_marketing_moves_an_event_and_staff_export_the_attendees(
    browser, live_site, site_app, staff_accounts, conference, tmp_path
):
    event_id, slug, title = conference
    attendee = f"linus.{secrets.token_hex(4)}@example.com"
    register_in_browser(browser, live_site, slug, "Linus Attendee", attendee)
    wait_for_mail(live_site.smtp, attendee, "Registration confirmed")
    live_site.flask("seed", "--attendees", "3", "--event", slug)

    # Marketing: a new date and time, published.
    new_day = (utcnow() + timedelta(days=36)).astimezone(ZoneInfo("Europe/Berlin")).date()
    marketing = browser.new_context(base_url=live_site.url)
    page = marketing.new_page()
    sign_in(page, *staff_accounts["marketing"])
    page.get_by_role("navigation", name="Staff").get_by_role("link", name="Events").click()
    page.get_by_role("link", name=f"Edit {title}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Edit event: {title}")
    page.get_by_label("Start", exact=True).fill(f"{new_day.isoformat()}T10:30")
    page.get_by_label("End", exact=True).fill(f"{new_day.isoformat()}T17:45")
    page.get_by_label("Status").select_option(label="Published")
    page.get_by_label("Note for attendees").fill("We moved to a larger hall.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    marketing.close()

    update = wait_for_mail(live_site.smtp, attendee, "Changed: new details for")
    body = text_of(update)
    assert title in str(update["Subject"])
    assert "10:30" in body
    assert f"{new_day.day} {new_day:%B %Y}" in body
    assert "We moved to a larger hall." in body

    # Staff: download the attendee list; the saved file holds exactly the registrations.
    staff = browser.new_context(base_url=live_site.url, accept_downloads=True)
    page = staff.new_page()
    sign_in(page, *staff_accounts["staff"])
    page.get_by_role("navigation", name="Staff").get_by_role("link", name="Events").click()
    page.get_by_role("link", name=f"Attendees of {title}").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    download = download_info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    staff.close()

    assert saved.suffix == ".csv"
    with open(saved, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    header, data = rows[0], rows[1:]
    assert header[: len(EXPORT_COLUMNS)] == EXPORT_COLUMNS
    exported = {(row[0], row[1], row[6]) for row in data}
    with site_app.app_context():
        stored = {
            (r.name, r.email, r.status)
            for r in db.session.scalars(
                select(Registration).where(Registration.event_id == event_id)
            )
        }
    assert len(data) == len(stored) == 4
    assert exported == stored
    assert ("Linus Attendee", attendee, "confirmed") in exported
    assert {row[header.index("event")] for row in data} == {slug}
