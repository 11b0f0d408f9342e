"""axe-core on every page type, in Chromium: no WCAG 2.1 A/AA or best-practice violations."""

import pytest

from tests.browser.pages import describe_violations

PUBLIC_PAGE_TYPES = [
    "home",
    "blog index",
    "article",
    "tag",
    "author",
    "events",
    "event",
    "privacy",
    "programme",
    "speakers",
    "speaker",
    "registration form",
    "registration form with errors",
    "registration confirmation",
    "change details",
    "change details with errors",
    "cancel confirmation",
    "manage registration",
    "marketing consent",
    "erase confirmation",
    "data deleted",
    "404",
]

STAFF_PAGE_TYPES = [
    "staff sign-in",
    "staff dashboard",
    "staff events",
    "staff event editor",
    "staff new event",
    "staff event editor with errors",
    "staff attendees",
    "staff sessions",
    "staff questions",
    "staff attendee answers",
    "staff articles",
    "staff article editor",
    "staff new article",
    "staff authors",
    "staff tags",
    "staff outbox",
    "staff outbox message",
    "staff audit log",
    "staff accounts",
    "staff new account",
    "staff account",
    "staff change password",
    "staff two-factor set-up",
    "staff media library",
    "staff media item",
    "staff media upload with errors",
    "staff privacy requests",
    "staff privacy lookup",
]


@pytest.mark.parametrize("page_type", PUBLIC_PAGE_TYPES)
def test_public_page_has_no_accessibility_violations(public_tour, page_type):
    found = public_tour[page_type]
    assert found.violations == [], (
        f"{page_type} ({found.url}):\n{describe_violations(found.violations)}"
    )


@pytest.mark.parametrize("page_type", STAFF_PAGE_TYPES)
def test_staff_page_has_no_accessibility_violations(staff_tour, page_type):
    found = staff_tour[page_type]
    assert found.status in (200, 422), f"{page_type}: HTTP {found.status} at {found.url}"
    assert found.violations == [], (
        f"{page_type} ({found.url}):\n{describe_violations(found.violations)}"
    )
