"""On a 360 px phone screen nothing scrolls sideways and the menu still works; the programme
and speaker pages (issue 15) read as one column, portraits included."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.pages import has_horizontal_scroll, public_reading_paths, sitemap_paths
from tests.browser.tours import FIELD_TRIP, sign_in

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def phone(browser, live_site):
    context = browser.new_context(
        base_url=live_site.url,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    yield context.new_page()
    context.close()


def sideways(page, paths: dict[str, str]) -> list[str]:
    """The pages among `paths` that scroll sideways."""
    too_wide = []
    for name, path in paths.items():
        response = page.goto(path)
        assert response.status == 200, f"{name}: HTTP {response.status}"
        if has_horizontal_scroll(page):
            too_wide.append(f"{name} ({path})")
    return too_wide


def test_public_pages_fit_a_360px_screen(live_site, phone):
    paths = public_reading_paths(live_site.url)
    paths["registration form"] = f"{FIELD_TRIP}/register"
    assert sideways(phone, paths) == [], "pages that scroll sideways at 360 px"


def test_staff_pages_fit_a_360px_screen(phone, staff_accounts):
    sign_in(phone, *staff_accounts["admin"])
    event = FIELD_TRIP.rsplit("/", 1)[-1]
    paths = {
        "dashboard": "/staff/",
        "events": "/staff/events/",
        "event editor": f"/staff/events/{event}/edit",
        "attendees": f"/staff/events/{event}/attendees",
        "outbox": "/staff/outbox/",
        "audit log": "/staff/audit",
        "accounts": "/staff/users/",
    }
    # Wide tables may scroll inside their own box; the page itself must not.
    assert sideways(phone, paths) == [], "staff pages that scroll sideways at 360 px"


def test_the_menu_is_usable_at_360px(phone):
    phone.goto("/")
    menu = phone.get_by_role("navigation", name="Main")
    for name in ("Events", "Blog"):
        link = menu.get_by_role("link", name=name)
        assert link.is_visible()
        box = link.bounding_box()
        # Whole link on screen, and a target a thumb can hit (WCAG 2.5.8: at least 24 px).
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], name
        assert box["height"] >= 24 and box["width"] >= 24, (name, box)
    menu.get_by_role("link", name="Blog").tap()
    expect(phone).to_have_url(re.compile(r"/blog/$"))
    expect(menu.get_by_role("link", name="Blog")).to_have_attribute("aria-current", "page")
    menu.get_by_role("link", name="Events").tap()
    expect(phone).to_have_url(re.compile(r"/events/$"))
    assert not has_horizontal_scroll(phone)


def boxes(page, selector: str) -> list[dict]:
    return [element.bounding_box() for element in page.locator(selector).all()]


def assert_on_screen(found: list[dict], what: str) -> None:
    assert found, f"no {what} on the page"
    for box in found:
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (what, box)


def test_the_programme_reads_as_one_column_at_360px(live_site, phone):
    programme = public_reading_paths(live_site.url)["programme"]
    assert phone.goto(programme).status == 200
    assert not has_horizontal_scroll(phone)
    assert_on_screen(boxes(phone, ".session"), "session")
    # Each session's time sits above its title (one column), not squeezed beside it.
    for session in phone.locator(".session").all()[:6]:
        time_box = session.locator(".session-time").bounding_box()
        body_box = session.locator(".session-body").bounding_box()
        assert time_box["y"] + time_box["height"] <= body_box["y"] + 1, (time_box, body_box)
        assert body_box["width"] >= PHONE["width"] * 0.8, body_box
    title_size = phone.locator(".session-title").first.evaluate(
        "el => parseFloat(getComputedStyle(el).fontSize)"
    )
    assert title_size >= 16
    # Speakers' portraits beside their names: small, round, and on the screen.
    avatars = boxes(phone, ".session-speakers .avatar img")
    assert_on_screen(avatars, "speaker portrait in the programme")
    for box in avatars:
        assert 24 <= box["width"] <= 40 and abs(box["width"] - box["height"]) < 1, box


def test_a_speaker_page_fits_a_360px_screen_with_its_portrait(live_site, phone):
    speakers = [
        path
        for path in sitemap_paths(live_site.url)
        if path.startswith("/speakers/") and path != "/speakers/"
    ]
    assert speakers, "the sitemap lists no speaker page"
    assert phone.goto(speakers[0]).status == 200
    assert not has_horizontal_scroll(phone)
    portrait = boxes(phone, ".portrait img")
    assert_on_screen(portrait, "portrait")
    assert portrait[0]["width"] <= PHONE["width"] - 32
    assert_on_screen(boxes(phone, ".session"), "session")
    # The list of speakers, with a portrait on each card, fits too.
    assert phone.goto("/speakers/").status == 200
    assert not has_horizontal_scroll(phone)
    assert_on_screen(boxes(phone, ".speaker-card"), "speaker card")
    assert_on_screen(boxes(phone, ".speaker-portrait img"), "speaker card portrait")
