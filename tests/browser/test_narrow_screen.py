"""On a 360 px phone screen nothing scrolls sideways and the menu still works."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.pages import has_horizontal_scroll, public_reading_paths

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


def test_public_pages_fit_a_360px_screen(live_site, phone):
    too_wide = []
    for name, path in public_reading_paths(live_site.url).items():
        phone.goto(path)
        if has_horizontal_scroll(phone):
            too_wide.append(f"{name} ({path})")
    assert too_wide == [], f"pages that scroll sideways at 360 px: {too_wide}"


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
