"""Production's shape: the site over https behind the project's nginx. Cookies are Secure,
HSTS is sent, every redirect stays on https, and the access log holds no personal link."""

import secrets
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests.browser.pages import manage_link, wait_for_mail
from tests.browser.tours import MIN_FILL_MS, sign_in
from tests.support.factories import create_event


@pytest.fixture
def watched(browser, live_site):
    """A fresh https context that records every response; (context, responses)."""
    context = browser.new_context(base_url=live_site.url)
    context.set_default_timeout(10_000)
    responses = []
    context.on("response", lambda response: responses.append(response))
    yield context, responses
    context.close()


def assert_stays_on_https(responses, live_site) -> None:
    assert responses, "no responses seen"
    for response in responses:
        assert response.url.startswith("https://"), response.url
        location = response.headers.get("location")
        if location:
            assert not location.startswith("http://"), f"{response.url} -> {location}"


def assert_cookies_secure(context) -> None:
    cookies = context.cookies()
    assert cookies, "the site set no cookie"
    for cookie in cookies:
        assert cookie["secure"], cookie["name"]
        assert cookie["httpOnly"], cookie["name"]


@pytest.fixture
def event(site_app):
    suffix = secrets.token_hex(3)
    with site_app.app_context():
        made = create_event(title=f"TLS Summit {suffix}", slug=f"tls-summit-{suffix}", capacity=9)
        db.session.commit()
        return made.slug, made.title


def test_sign_up_email_manage_cancel_over_https(watched, live_site, event):
    context, responses = watched
    slug, title = event
    page = context.new_page()
    first = page.goto(f"/events/{slug}/register")
    assert "max-age=" in first.headers["strict-transport-security"]
    email = f"tls.{secrets.token_hex(4)}@example.com"
    page.get_by_label("Full name").fill("Tim Berners-Lee")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("I have read the privacy notice").check()
    page.wait_for_timeout(MIN_FILL_MS)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    link = manage_link(
        wait_for_mail(live_site.smtp, email, "Registration confirmed"), live_site.url
    )
    assert link.startswith("https://")
    page.goto(link)
    page.get_by_role("link", name="Cancel my registration").click()
    page.get_by_role("button", name="Yes, cancel my registration").click()
    # Over https this needs the same-origin Referer the cancel page lets the browser send.
    expect(page.get_by_text("Your registration is cancelled.")).to_be_visible()
    wait_for_mail(live_site.smtp, email, "Registration cancelled")
    assert_cookies_secure(context)
    assert_stays_on_https(responses, live_site)

    token = link.rsplit("/", 1)[-1]
    logged = live_site.access_log.read_text()
    assert "/registrations/[token]/cancel" in logged
    assert token not in logged


def test_the_form_error_state_over_https(watched, live_site, event):
    context, responses = watched
    slug, _ = event
    page = context.new_page()
    page.goto(f"/events/{slug}/register")
    page.get_by_label("Email address").fill("tim@")
    page.wait_for_timeout(MIN_FILL_MS)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.get_by_role("alert")).not_to_contain_text("expired")
    expect(page.get_by_label("Email address")).to_have_value("tim@")
    assert_stays_on_https(responses, live_site)


def test_staff_sign_in_edit_and_sign_out_over_https(watched, live_site, staff_accounts, event):
    context, responses = watched
    slug, title = event
    page = context.new_page()
    sign_in(page, *staff_accounts["marketing"])
    assert_cookies_secure(context)
    page.goto(f"/staff/events/{slug}/edit")
    page.get_by_label("Note for attendees").fill("Bring a laptop.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/staff/login")
    page.goto("/staff/")
    expect(page).to_have_url(f"{live_site.url}/staff/login?next=/staff/")
    assert_stays_on_https(responses, live_site)


def test_plain_http_is_sent_to_https(live_site):
    request = urllib.request.Request(f"{live_site.http_url}/events/?x=1")

    class NoFollow(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.build_opener(NoFollow).open(request, timeout=5)
    with answer.value:  # the error holds the connection: close it here
        assert answer.value.code == 301
        assert answer.value.headers["Location"] == f"{live_site.url}/events/?x=1"
