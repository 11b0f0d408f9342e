"""Walks through every page type once, as a visitor and as staff, keeping each page as served.

The accessibility and HTML validity tests both read these visits, so a page is fetched once.
"""

import re

from tests.browser.pages import (
    Visit,
    manage_link,
    public_reading_paths,
    run_axe,
    text_of,
    visit,
    wait_for_mail,
)

# The registration form refuses a submit sooner than this after it was shown (anti-bot).
MIN_FILL_MS = 2_200
FIELD_TRIP = "/events/geothermal-compute-iceland-data-centre-field-trip"


class Tour(dict):
    """Visits by page type, plus every URL requested and every console error on the way."""

    def __init__(self, visits: dict[str, Visit], requests: list[str], errors: list[str]) -> None:
        super().__init__(visits)
        self.requests = requests
        self.console_errors = errors


def watched_page(context):
    """A new page whose requests and console errors are recorded (a CSP refusal is one)."""
    page = context.new_page()
    requested, errors = [], []
    context.on("request", lambda request: requested.append(request.url))

    def on_console(message) -> None:
        # An HTTP error status is reported as a failed load; the 404 and 422 pages are meant.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    return page, requested, errors


def submit_and_keep(page, name: str, button: str) -> Visit:
    """Press a form's button and keep the answer to the POST (an error page cannot be GET again)."""
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name=button).click()
    page.wait_for_load_state()
    response = posted.value
    html = response.text() if response.status < 300 or response.status >= 400 else ""
    return Visit(name, page.url, response.status, html, run_axe(page))


def public_visits(page, site_url: str, smtp) -> dict[str, Visit]:
    """Reading pages, the registration form (fresh and with errors), the attendee's pages, 404."""
    visits = {
        name: visit(page, name, path) for name, path in public_reading_paths(site_url).items()
    }

    # The demo field trip takes applications (issue 13), with three questions.
    visits["registration form"] = visit(page, "registration form", f"{FIELD_TRIP}/register")
    page.wait_for_timeout(MIN_FILL_MS)
    visits["registration form with errors"] = submit_and_keep(
        page, "registration form with errors", "Apply"
    )
    assert "There is a problem" in page.get_by_role("alert").inner_text()
    page.get_by_label("Full name (required)").fill("Ada Tour")
    page.get_by_label("Email address").fill("ada.tour@example.org")
    page.get_by_label("Your full name exactly as on your photo ID").fill("Ada Tour")
    page.get_by_label("Nationality").select_option(label="Iceland")
    page.get_by_label("Arctic char").check()
    page.get_by_label("I have read the privacy notice").check()
    page.wait_for_timeout(MIN_FILL_MS)
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/register/check-your-email")
    visits["registration confirmation"] = visit(page, "registration confirmation", page.url)
    # The manage link goes by email only, as an attendee gets it.
    mail = wait_for_mail(smtp, "ada.tour@example.org", "Application received")
    manage_url = manage_link(mail, site_url)
    page.goto(manage_url)
    visits["change details"] = visit(page, "change details", manage_url.split("?")[0] + "/edit")
    page.get_by_label("Full name (required)").fill("")
    visits["change details with errors"] = submit_and_keep(
        page, "change details with errors", "Save my changes"
    )
    assert "There is a problem" in page.get_by_role("alert").inner_text()
    page.goto(manage_url)
    page.get_by_role("link", name="Withdraw my application").click()
    page.wait_for_url("**/cancel")
    visits["cancel confirmation"] = visit(page, "cancel confirmation", page.url)
    visits["manage registration"] = visit(page, "manage registration", manage_url.split("?")[0])
    # Privacy (issue 11): marketing consent, then Delete my data, confirmed (last: the link dies).
    own = manage_url.split("?")[0]
    visits["marketing consent"] = visit(page, "marketing consent", f"{own}/marketing")
    # Issue 14: the reminder's "Release your seat" page (GET shows the button, changes nothing).
    visits["release your seat"] = visit(page, "release your seat", f"{own}/release")
    visits["erase confirmation"] = visit(page, "erase confirmation", f"{own}/erase")
    page.get_by_role("button", name="Yes, delete my data").click()
    page.wait_for_url("**/registrations/erased")
    visits["data deleted"] = visit(page, "data deleted", page.url)
    visits["404"] = visit(page, "404", "/no-such-page")
    return visits


def sign_in(page, email: str, password: str) -> None:
    page.goto("/staff/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: not url.endswith("/staff/login"))


def staff_visits(page, admin: tuple[str, str], smtp=None) -> dict[str, Visit]:
    """Every staff page type, signed in as an admin (who may see them all)."""
    visits = {"staff sign-in": visit(page, "staff sign-in", "/staff/login")}
    sign_in(page, *admin)
    event = FIELD_TRIP.rsplit("/", 1)[-1]
    paths = {
        "staff dashboard": "/staff/",
        "staff events": "/staff/events/",
        "staff event editor": f"/staff/events/{event}/edit",
        "staff new event": "/staff/events/new",
        "staff attendees": f"/staff/events/{event}/attendees",
        "staff sessions": f"/staff/events/{event}/sessions",
        "staff messages": f"/staff/events/{event}/messages",
        "staff announcements": "/staff/announcements",
        "staff questions": f"/staff/events/{event}/questions",
        "staff attendee answers": None,
        "staff articles": "/staff/articles/",
        "staff article editor": None,
        "staff new article": "/staff/articles/new",
        "staff authors": "/staff/authors/",
        "staff tags": "/staff/tags/",
        "staff outbox": "/staff/outbox/",
        "staff outbox message": None,
        "staff audit log": "/staff/audit",
        "staff accounts": "/staff/users/",
        "staff new account": "/staff/users/new",
        "staff account": None,
        "staff change password": "/staff/account/password",
        "staff two-factor set-up": "/staff/account/two-factor",
        "staff media library": "/staff/media/",
        "staff media item": None,
        "staff privacy requests": "/staff/privacy",
    }
    for name, path in paths.items():
        if name == "staff article editor":
            page.goto("/staff/articles/")
            path = first_link_path(page, "/edit")
        elif name == "staff attendee answers":
            page.goto(f"/staff/events/{event}/attendees")
            path = first_link_path(page, "/answers")
        elif name == "staff account":
            page.goto("/staff/users/")
            path = first_link_path(page, "/staff/users/", digits=True)
        elif name == "staff outbox message":
            page.goto("/staff/outbox/")
            path = first_link_path(page, "/staff/outbox/", digits=True)
        elif name == "staff media item":
            page.goto("/staff/media/")
            path = first_link_path(page, "/staff/media/", digits=True)
        visits[name] = visit(page, name, path)
    page.goto("/staff/events/new")
    visits["staff event editor with errors"] = submit_and_keep(
        page, "staff event editor with errors", "Save"
    )
    assert "Nothing was saved" in page.get_by_role("alert").inner_text()
    page.goto("/staff/media/")
    visits["staff media upload with errors"] = submit_and_keep(
        page, "staff media upload with errors", "Upload"
    )
    assert "Nothing was saved" in page.get_by_role("alert").inner_text()
    page.goto("/staff/privacy")
    page.get_by_label("Email address").fill("ada.tour@example.org")
    visits["staff privacy lookup"] = submit_and_keep(page, "staff privacy lookup", "Find")
    if smtp is not None:
        visits.update(announcement_visits(page, smtp))
    return visits


def announcement_visits(page, smtp) -> dict[str, Visit]:
    """Issue 14: someone asks for news, staff preview and send an announcement, and its
    unsubscribe page is opened from the email, then used."""
    page.goto(f"{FIELD_TRIP}/register")
    page.get_by_label("Full name").fill("Ben Tour")
    page.get_by_label("Email address").fill("ben.tour@example.org")
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_label("Yes, email me now and then about future events.").check()
    page.wait_for_timeout(MIN_FILL_MS)
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/register/check-your-email")
    page.goto("/staff/announcements")
    page.get_by_label("Subject").fill("News from the tour")
    page.get_by_label("Announcement (Markdown)").fill("Seats are *open*.")
    visits = {
        "staff announcement preview": submit_and_keep(page, "staff announcement preview", "Preview")
    }
    page.get_by_role("button", name="Send").click()
    page.wait_for_url("**/staff/announcements")
    mail = wait_for_mail(smtp, "ben.tour@example.org", "News from the tour")
    link = re.search(r"https://\S+/unsubscribe/[\w.-]+", text_of(mail)).group(0)
    visits["unsubscribe"] = visit(page, "unsubscribe", link)
    visits["unsubscribed"] = submit_and_keep(page, "unsubscribed", "Unsubscribe")
    return visits


def first_link_path(page, fragment: str, digits: bool = False) -> str:
    """The first link on the page whose path contains `fragment` (and ends in a number)."""
    hrefs = page.get_by_role("link").evaluate_all("links => links.map(a => a.pathname)")
    for href in hrefs:
        if fragment in href and (not digits or href.rstrip("/").rsplit("/", 1)[-1].isdigit()):
            return href
    raise AssertionError(f"no link containing {fragment} on {page.url}")
