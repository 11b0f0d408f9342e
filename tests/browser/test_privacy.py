"""What the privacy page promises, checked in a real browser: reading sets no cookie and
loads nothing from anywhere but this server."""

from urllib.parse import urlsplit

from tests.browser.pages import public_reading_paths
from tests.browser.tours import FIELD_TRIP


def test_reading_the_site_talks_to_no_one_else_and_sets_no_cookie(live_site, context, page):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    paths = public_reading_paths(live_site.url)
    for path in paths.values():
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("load")
    page.goto("/no-such-page")  # an error page must keep the promise too

    ours = urlsplit(live_site.url).netloc
    elsewhere = [url for url in requested if urlsplit(url).netloc != ours]
    assert elsewhere == [], f"requests that left {ours}: {elsewhere}"
    # Every page loaded its stylesheet and icon from here, so the check above saw real traffic.
    assert any(urlsplit(url).path.endswith(".css") for url in requested)
    assert context.cookies() == []


def test_the_privacy_page_says_so(page):
    page.goto("/privacy")
    text = page.get_by_role("main").inner_text()
    assert "sets no cookies" in text
    assert "loads nothing from other companies" in text
    assert "no cookie banner" in text


def test_a_form_sets_one_cookie_that_ends_with_the_browser_session(live_site, context, page):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{FIELD_TRIP}/register")
    ours = urlsplit(live_site.url).netloc
    assert [url for url in requested if urlsplit(url).netloc != ours] == []
    cookies = context.cookies()
    assert len(cookies) == 1, cookies
    cookie = cookies[0]
    assert cookie["httpOnly"]
    assert cookie["sameSite"] == "Lax"
    assert cookie["expires"] == -1  # a session cookie: gone when the browser closes


def test_no_page_on_either_tour_asks_another_origin(live_site, public_tour, staff_tour):
    # Both tours go through the form, its errors, the attendee's pages and every staff page.
    ours = urlsplit(live_site.url).netloc
    for tour in (public_tour, staff_tour):
        assert tour.requests, "the tour recorded no requests"
        assert [url for url in tour.requests if urlsplit(url).netloc != ours] == []


def test_no_page_on_either_tour_logs_an_error(public_tour, staff_tour):
    # The policy refuses inline script and style; the browser says so in the console.
    assert public_tour.console_errors == []
    assert staff_tour.console_errors == []
