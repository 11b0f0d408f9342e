"""Signing up in a real browser, as visitors do it: from an article, with mistakes, for the
last seat. Each test makes its own event, so the tests do not depend on one another."""

import re
import secrets
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests.browser.pages import manage_link, tab_to, text_of, wait_for_mail
from tests.browser.tours import MIN_FILL_MS
from tests.support.factories import create_article, create_event


@dataclass
class Trip:
    title: str
    slug: str
    article_title: str
    article_slug: str


def new_address(who: str) -> str:
    return f"{who}.{secrets.token_hex(4)}@example.com"


@pytest.fixture
def trip(site_app) -> Trip:
    """A field trip with seats, and an article that links to it."""
    suffix = secrets.token_hex(3)
    with site_app.app_context():
        event = create_event(
            kind="field_trip",
            title=f"Fjord Cooling Field Trip {suffix}",
            slug=f"fjord-cooling-{suffix}",
            capacity=5,
        )
        article = create_article(
            title=f"Cold Water, Hot Chips {suffix}",
            slug=f"cold-water-hot-chips-{suffix}",
            body=(
                "Sea water cools a whole hall of GPUs.\n\n"
                f"See it for yourself: [join our field trip](/events/{event.slug}) in spring."
            ),
        )
        db.session.commit()
        return Trip(event.title, event.slug, article.title, article.slug)


@pytest.fixture
def last_seat(site_app) -> tuple[str, str]:
    """A conference with one seat left and a waiting list: (slug, title)."""
    suffix = secrets.token_hex(3)
    with site_app.app_context():
        event = create_event(
            title=f"Exascale Night {suffix}", slug=f"exascale-night-{suffix}", capacity=1
        )
        db.session.commit()
        return event.slug, event.title


def fill_in(page, name: str, email: str) -> None:
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("I have read the privacy notice").check()


def test_a_reader_signs_up_by_keyboard_and_cancels_from_the_email(page, live_site, trip):
    page.goto(f"/blog/{trip.article_slug}")
    expect(page.get_by_role("heading", level=1)).to_have_text(trip.article_title)
    page.get_by_role("link", name="join our field trip").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(trip.title)

    # From here to the confirmation, only the keyboard.
    tab_to(page, page.get_by_role("link", name=f"Register for {trip.title}"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Register for {trip.title}")
    email = new_address("grace")
    for label, typed in [
        ("Full name", "Grace Hopper"),
        ("Email address", email),
        ("Company or organisation", "Compilers Inc"),
        ("Dietary requirements", "Vegetarian, please."),
    ]:
        tab_to(page, page.get_by_label(label))
        page.keyboard.type(typed)
    consent = page.get_by_label("I have read the privacy notice")
    tab_to(page, consent)
    page.keyboard.press("Space")
    expect(consent).to_be_checked()
    page.wait_for_timeout(MIN_FILL_MS)
    tab_to(page, page.get_by_role("button", name="Register"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(page.get_by_text("We have emailed the details of your registration")).to_be_visible()

    mail = wait_for_mail(live_site.smtp, email, "Registration confirmed")
    assert trip.title in str(mail["Subject"])
    assert "Hello Grace Hopper" in text_of(mail)
    assert any(part.get_content_type() == "text/calendar" for part in mail.walk())

    page.goto(manage_link(mail, live_site.url))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your registration")
    expect(page.get_by_text("Confirmed: your seat is held.")).to_be_visible()
    expect(page.get_by_text("Vegetarian, please.")).to_be_visible()
    page.get_by_role("link", name="Cancel my registration").click()
    page.get_by_role("button", name="Yes, cancel my registration").click()
    expect(page.get_by_text("Your registration is cancelled.")).to_be_visible()
    wait_for_mail(live_site.smtp, email, "Registration cancelled")


def test_mistakes_are_explained_next_to_each_field_and_then_fixed(page, live_site, trip):
    page.goto(f"/events/{trip.slug}/register")
    page.get_by_label("Email address").fill("grace@")
    page.get_by_label("Company or organisation").fill("Compilers Inc")
    page.wait_for_timeout(MIN_FILL_MS)
    page.get_by_role("button", name="Register").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(page).to_have_title(re.compile(r"^Error: "))
    for label in ("Full name", "Email address", "I have read the privacy notice"):
        expect(summary.get_by_role("link", name=re.compile(re.escape(label)))).to_be_visible()
    email_field = page.get_by_label("Email address")
    expect(email_field).to_have_attribute("aria-invalid", "true")
    expect(email_field).to_have_accessible_description(re.compile("Error"))
    # What was typed is kept, mistakes included, so only the mistakes need retyping.
    expect(email_field).to_have_value("grace@")
    expect(page.get_by_label("Company or organisation")).to_have_value("Compilers Inc")

    email = new_address("grace")
    fill_in(page, "Grace Hopper", email)
    page.wait_for_timeout(MIN_FILL_MS)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("We have emailed the details of your registration")).to_be_visible()
    wait_for_mail(live_site.smtp, email, "Registration confirmed")


def test_the_last_seat_goes_to_one_and_the_other_is_promoted_when_it_frees(
    browser, live_site, last_seat
):
    slug, title = last_seat
    people = []
    for who in ("ada", "alan"):
        context = browser.new_context(base_url=live_site.url)
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.goto(f"/events/{slug}/register")
        expect(page.get_by_text("1 of 1 seats left.")).to_be_visible()
        email = new_address(who)
        fill_in(page, who.title(), email)
        people.append({"context": context, "page": page, "email": email})
    try:
        people[0]["page"].wait_for_timeout(MIN_FILL_MS)
        # Both press Register before either answer is back.
        for person in people:
            person["page"].get_by_role("button", name="Register").click(no_wait_after=True)
        for person in people:
            person["page"].wait_for_url("**/register/check-your-email")
        # Each learns the outcome from the email, which carries the manage link.
        for person in people:
            subjects = []
            for _ in range(30):
                subjects = [str(m["Subject"]) for m in live_site.smtp.to(person["email"])]
                if subjects:
                    break
                live_site.smtp.wait_for(len(live_site.smtp.messages) + 1, timeout=0.5)
            assert len(subjects) == 1, subjects
            confirmed = subjects[0].startswith("Registration confirmed")
            person["status"] = "confirmed" if confirmed else "waitlisted"
        assert sorted(p["status"] for p in people) == ["confirmed", "waitlisted"]
        seated = next(p for p in people if p["status"] == "confirmed")
        waiting = next(p for p in people if p["status"] == "waitlisted")
        for person, subject in (
            (seated, "Registration confirmed"),
            (waiting, "On the waiting list (number 1)"),
        ):
            mail = wait_for_mail(live_site.smtp, person["email"], subject)
            person["page"].goto(manage_link(mail, live_site.url))
        position = waiting["page"].get_by_text("On the waiting list, number 1.", exact=True)
        expect(position).to_be_visible()

        seated["page"].get_by_role("link", name="Cancel my registration").click()
        seated["page"].get_by_role("button", name="Yes, cancel my registration").click()
        expect(seated["page"].get_by_text("Your registration is cancelled.")).to_be_visible()

        promoted = wait_for_mail(live_site.smtp, waiting["email"], "A seat is yours")
        assert title in str(promoted["Subject"])
        waiting["page"].goto(manage_link(promoted, live_site.url))
        expect(waiting["page"].get_by_text("Confirmed: your seat is held.")).to_be_visible()
    finally:
        for person in people:
            person["context"].close()
