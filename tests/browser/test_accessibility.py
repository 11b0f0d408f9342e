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
    "404",
]


@pytest.mark.parametrize("page_type", PUBLIC_PAGE_TYPES)
def test_public_page_has_no_accessibility_violations(public_tour, page_type):
    found = public_tour[page_type]
    assert found.violations == [], (
        f"{page_type} ({found.url}):\n{describe_violations(found.violations)}"
    )
