"""Applying and being approved (issue 13), in a real browser over https: a visitor applies
with the event's questions, staff approve from the attendee list, the visitor's page and
email say the seat is theirs."""

import secrets

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests.browser.pages import manage_link, tab_to, text_of, wait_for_mail
from tests.browser.tours import MIN_FILL_MS, sign_in
from tests.support.factories import create_event
from tests.support.questions import create_question


@pytest.fixture
def curated(site_app) -> tuple[str, str]:
    """A field trip that needs approval, asking for a menu choice: (slug, title)."""
    suffix = secrets.token_hex(3)
    with site_app.app_context():
        event = create_event(
            kind="field_trip",
            title=f"Curated Cooling Trip {suffix}",
            slug=f"curated-cooling-{suffix}",
            capacity=3,
            approval_required=True,
        )
        create_question(event, "Dinner menu", "choice_radio", choices="Fish\nLamb", required=True)
        db.session.commit()
        return event.slug, event.title


def test_a_visitor_applies_by_keyboard_and_staff_approve(
    page, browser, live_site, staff_accounts, curated
):
    slug, title = curated
    page.goto(f"/events/{slug}")
    expect(page.get_by_text("Places are allocated by the organisers")).to_be_visible()
    tab_to(page, page.get_by_role("link", name=f"Apply for {title}"))
    page.keyboard.press("Enter")
    email = f"lin.{secrets.token_hex(4)}@example.com"
    for label, typed in [("Full name (required)", "Lin Wei"), ("Email address", email)]:
        tab_to(page, page.get_by_label(label))
        page.keyboard.type(typed)
    # A required question left out: the message sits in its group; then answered by keyboard.
    page.get_by_label("I have read the privacy notice").check()
    page.wait_for_timeout(MIN_FILL_MS)
    page.get_by_role("button", name="Apply").click()
    group = page.get_by_role("group", name="Dinner menu")
    expect(group).to_contain_text("Choose an answer.")
    tab_to(page, page.get_by_label("Fish"))
    page.keyboard.press("ArrowDown")  # radios move with the arrow keys
    expect(page.get_by_label("Lamb")).to_be_checked()
    page.wait_for_timeout(MIN_FILL_MS)
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    received = wait_for_mail(live_site.smtp, email, "Application received")
    assert "Dinner menu: Lamb" in text_of(received)
    own_page = manage_link(received, live_site.url)
    page.goto(own_page)
    expect(page.get_by_text("Application received:")).to_be_visible()

    staff = browser.new_context(base_url=live_site.url).new_page()
    sign_in(staff, *staff_accounts["staff"])
    staff.goto(f"/staff/events/{slug}/attendees?status=pending")
    staff.get_by_role("button", name="Approve Lin Wei").click()
    expect(staff.get_by_text("Approved Lin Wei: the seat is theirs.")).to_be_visible()
    staff.context.close()

    approved = wait_for_mail(live_site.smtp, email, "Application approved")
    assert any(part.get_content_type() == "text/calendar" for part in approved.walk())
    page.goto(own_page)
    expect(page.get_by_text("Confirmed: your seat is held.")).to_be_visible()
