"""The public page cache: repeat visits served from it with the same headers, what is never
kept, how soon edits and seat counts show (in this process and in others), the registration
form kept with fresh per-visitor tokens, and turning it off."""

import re

import pytest
from flask import request_started
from sqlalchemy import event, update

from app.db import SEAT_COUNTER
from app.extensions import db
from app.http.private import is_private_path
from app.models import Article, Event
from tests.support.database import make_app
from tests.support.factories import create_article, create_event
from tests.support.forms import csrf_token_from
from tests.support.settings import REDIS_URL
from tests.support.staff import signed_in_client


@pytest.fixture
def content(app):
    """One published article and one open event, by slug."""
    with app.app_context():
        article = create_article(title="Cooling with Fjord Water", slug="cooling")
        event = create_event(title="Exascale Day", slug="exascale-day", capacity=10)
        db.session.commit()
        return {"article": article.slug, "event": event.slug}


def test_a_repeat_visit_is_served_from_the_cache_with_the_same_headers(client, content):
    path = f"/events/{content['event']}"
    first = client.get(path)
    second = client.get(path)
    assert first.status_code == second.status_code == 200
    assert "X-Cache" not in first.headers
    assert second.headers["X-Cache"] == "HIT"
    assert second.get_data() == first.get_data()
    per_response = {"date", "x-request-id", "x-cache", "content-length"}
    assert {k: v for k, v in first.headers.items() if k.lower() not in per_response} == {
        k: v for k, v in second.headers.items() if k.lower() not in per_response
    }
    assert "Set-Cookie" not in second.headers
    assert second.headers["X-Request-ID"] != first.headers["X-Request-ID"]
    # The ETag survives the cache, so a browser's revalidation still gets a 304.
    revalidated = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert revalidated.status_code == 304


def public_reading_paths(content) -> list[str]:
    event = f"/events/{content['event']}"
    return [
        "/", "/blog/", f"/blog/{content['article']}", "/events/", event, "/speakers/",
        "/privacy", "/blog/feed.xml", "/events/calendar.ics", f"{event}/programme.ics",
        "/sitemap.xml",
    ]  # fmt: skip


def test_a_visitor_with_a_session_gets_kept_reading_pages_identical_to_their_own_render(
    app, client, content, database_url
):
    """A staff member signed in, with a message waiting in their session: the kept pages they
    are given are byte for byte what the views render for them with the cache off."""
    staff, _ = signed_in_client(app, "admin")
    with staff.session_transaction() as session:
        session["_flashes"] = [("message", "Saved.")]
    other_app = make_app(database_url, PAGE_CACHE_SECONDS=0)
    uncached = other_app.test_client()
    uncached.set_cookie("session", staff.get_cookie("session").value)
    for path in public_reading_paths(content):
        anonymous = client.get(path)
        assert anonymous.status_code == 200, path
        given = staff.get(path)
        assert given.headers.get("X-Cache") == "HIT", path
        assert "Set-Cookie" not in given.headers, path
        own = uncached.get(path)
        assert "X-Cache" not in own.headers
        assert own.get_data() == given.get_data() == anonymous.get_data(), path
    with other_app.app_context():
        db.engine.dispose()


def test_a_reading_page_first_rendered_for_a_session_holder_is_kept_for_everyone(
    app, content, database_url
):
    """An attendee who opened the form (their session holds its CSRF key) is the first to ask
    for each page: what is kept and given to the next visitor is the anonymous page."""
    attendee = app.test_client()
    attendee.get(f"/events/{content['event']}/register")
    assert attendee.get_cookie("session") is not None
    other_app = make_app(database_url, PAGE_CACHE_SECONDS=0)
    for path in public_reading_paths(content):
        assert "X-Cache" not in attendee.get(path).headers, path  # rendered for them...
        given = app.test_client().get(path)
        assert given.headers.get("X-Cache") == "HIT", path  # ...and kept
        assert given.get_data() == other_app.test_client().get(path).get_data(), path
    with other_app.app_context():
        db.engine.dispose()


def test_a_visitor_with_a_session_gets_the_registration_pages_rendered_for_them(app, content):
    form = f"/events/{content['event']}/register"
    for path in (form, f"{form}/check-your-email"):
        app.test_client().get(path)
        assert app.test_client().get(path).headers.get("X-Cache") == "HIT"  # kept for others
        visitor = app.test_client()
        visitor.set_cookie("session", "anything")
        assert "X-Cache" not in visitor.get(path).headers, path


def test_only_get_is_served_from_the_cache(client, content):
    client.get("/")
    assert client.get("/").headers.get("X-Cache") == "HIT"
    assert "X-Cache" not in client.head("/").headers
    assert client.post("/").status_code in (400, 405)


@pytest.mark.parametrize("path", ["/healthz", "/no-such-page", "/staff/login"])
def test_health_checks_errors_and_staff_pages_are_never_cached(client, content, path):
    client.get(path)
    assert "X-Cache" not in client.get(path).headers


@pytest.mark.parametrize(
    ("path", "private"),
    [
        ("/staff", True),
        ("/staff/", True),
        ("/staff/events/exascale-day/attendees", True),
        ("/registrations", True),
        ("/registrations/some-token/cancel", True),
        ("/events/exascale-day/register", False),
        ("/staffing-your-data-centre", False),
    ],
)
def test_the_caching_rules_and_the_page_cache_share_one_idea_of_private(path, private):
    # One function answers for both: Cache-Control no-store, and never kept by the page cache.
    assert is_private_path(path) is private


def test_an_edited_article_shows_at_once(app, client, content):
    path = f"/blog/{content['article']}"
    client.get(path)
    assert client.get(path).headers["X-Cache"] == "HIT"
    with app.app_context():
        article = db.session.query(Article).filter_by(slug=content["article"]).one()
        article.title = "Cooling with Sea Water"
        db.session.commit()
    response = client.get(path)
    assert "X-Cache" not in response.headers
    assert "Cooling with Sea Water" in response.get_data(as_text=True)


def take_seats(app, slug: str, seats: int) -> None:
    """Seats taken the way sign-ups take them: one UPDATE of the counter."""
    with app.app_context():
        db.session.execute(
            update(Event)
            .where(Event.slug == slug)
            .values(seats_taken=Event.seats_taken + seats)
            .execution_options(**SEAT_COUNTER)
        )
        db.session.commit()


def test_seats_taken_show_at_the_next_generation_check(database_url, content):
    app = make_app(database_url, PAGE_CACHE_CHECK_SECONDS=0)
    client = app.test_client()
    path = f"/events/{content['event']}"
    assert "10 of 10 left" in client.get(path).get_data(as_text=True)
    take_seats(app, content["event"], 3)
    assert "7 of 10 left" in client.get(path).get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()


def test_a_rush_of_seat_changes_waits_for_the_check_but_an_edit_shows_at_once(
    database_url, content
):
    # A check interval longer than any test: only what bypasses it can show.
    app = make_app(database_url, PAGE_CACHE_CHECK_SECONDS=3600)
    client = app.test_client()
    path = f"/events/{content['event']}"
    client.get(path)
    take_seats(app, content["event"], 3)
    cached = client.get(path)
    assert cached.headers["X-Cache"] == "HIT"
    assert "10 of 10 left" in cached.get_data(as_text=True)
    with app.app_context():
        db.session.query(Event).filter_by(slug=content["event"]).one().title = "Exascale Night"
        db.session.commit()
    fresh = client.get(path)
    assert "X-Cache" not in fresh.headers
    html = fresh.get_data(as_text=True)
    assert "Exascale Night" in html and "7 of 10 left" in html
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("store", ["file", "redis"])
def test_a_write_in_another_process_reaches_this_one(database_url, content, store):
    """Two app instances on one database stand for two gunicorn workers."""
    if store == "redis" and not REDIS_URL:
        pytest.skip("needs Redis: set REDIS_URL")
    settings = {"PAGE_CACHE_CHECK_SECONDS": 0}
    if store == "redis":
        settings["RATELIMIT_STORAGE_URI"] = REDIS_URL
    reader = make_app(database_url, **settings)
    writer = make_app(database_url, **settings)
    client = reader.test_client()
    path = f"/blog/{content['article']}"
    client.get(path)
    assert client.get(path).headers["X-Cache"] == "HIT"
    with writer.app_context():
        db.session.query(Article).filter_by(slug=content["article"]).one().title = "Renamed"
        db.session.commit()
    response = client.get(path)
    assert "X-Cache" not in response.headers
    assert "Renamed" in response.get_data(as_text=True)
    for app in (reader, writer):
        with app.app_context():
            db.engine.dispose()


def rendered_stamp(html: str) -> str:
    return re.search(r'name="rendered"[^>]*value="([^"]*)"', html).group(1)


def form_data(html: str, email: str) -> dict:
    return {
        "csrf_token": csrf_token_from(html),
        "rendered": rendered_stamp(html),
        "name": "Ada Lovelace",
        "email": email,
        "consent": "y",
    }


@pytest.fixture
def form_app(database_url):
    app = make_app(database_url, REGISTRATION_MIN_FILL_SECONDS=0, PAGE_CACHE_CHECK_SECONDS=0)
    yield app
    with app.app_context():
        db.engine.dispose()


def test_each_new_visitor_gets_the_kept_form_with_their_own_token_and_stamp(form_app, content):
    path = f"/events/{content['event']}/register"
    first, second = form_app.test_client(), form_app.test_client()
    one, two = first.get(path), second.get(path)
    assert "X-Cache" not in one.headers
    assert two.headers["X-Cache"] == "HIT"
    html_one, html_two = one.get_data(as_text=True), two.get_data(as_text=True)
    assert csrf_token_from(html_one) != csrf_token_from(html_two)
    assert rendered_stamp(html_one) != rendered_stamp(html_two)
    for response in (one, two):
        assert "session=" in response.headers["Set-Cookie"]
        assert "private" in response.headers["Cache-Control"]
        assert "Content-Security-Policy" in response.headers

    def without_tokens(html: str) -> str:
        return html.replace(csrf_token_from(html), "T").replace(rendered_stamp(html), "S")

    assert without_tokens(html_one) == without_tokens(html_two)
    # The kept copy is what the view renders now for anyone (were the view to add another
    # per-visitor value, this would fail: the form cache would have to learn to renew it).
    rendered = form_app.test_client()
    rendered.set_cookie("session", "not-a-valid-session")
    fresh = rendered.get(path)
    assert "X-Cache" not in fresh.headers
    assert without_tokens(fresh.get_data(as_text=True)) == without_tokens(html_two)
    # A token works only with the session it was made for.
    stolen = first.post(path, data=form_data(html_two, "mallory@example.com"))
    assert stolen.status_code == 400
    assert second.post(path, data=form_data(html_two, "ada@example.com")).status_code == 303
    retry = first.get(path)
    assert "X-Cache" not in retry.headers  # a visitor with a session gets the view
    again = form_data(retry.get_data(as_text=True), "b@example.com")
    assert first.post(path, data=again).status_code == 303


def test_the_kept_form_shows_the_seats_left_after_a_sign_up(form_app, content):
    path = f"/events/{content['event']}/register"
    html = form_app.test_client().get(path).get_data(as_text=True)
    assert "10 of 10 seats left." in html
    visitor = form_app.test_client()
    form = visitor.get(path)
    assert form.headers["X-Cache"] == "HIT"
    data = form_data(form.get_data(as_text=True), "grace@example.com")
    assert visitor.post(path, data=data).status_code == 303
    assert "9 of 10 seats left." in form_app.test_client().get(path).get_data(as_text=True)


def without_cookie_value(set_cookie: str) -> str:
    name, _, rest = set_cookie.partition("=")
    return name + "=…" + rest[rest.index(";") :]


@pytest.mark.parametrize("site_url", ["http://northlight.test", "https://northlight.test"])
def test_the_kept_form_goes_out_with_the_headers_and_cookie_flask_gave_its_render(
    database_url, content, site_url
):
    # The copy is sent by the middleware, not by Flask: its headers must be those Flask's
    # hooks gave the render, and its session cookie must carry the same attributes (Secure
    # over https), with a value Flask reads back as a session holding the page's token.
    app = make_app(database_url, SITE_URL=site_url, REGISTRATION_MIN_FILL_SECONDS=0)
    path = f"/events/{content['event']}/register"
    base = site_url.replace("northlight.test", "localhost")
    rendered = app.test_client().get(path, base_url=base)
    visitor = app.test_client()
    copy = visitor.get(path, base_url=base)
    assert "X-Cache" not in rendered.headers
    assert copy.headers["X-Cache"] == "HIT"
    per_response = {"date", "x-request-id", "x-cache", "content-length", "set-cookie"}
    assert {k: v for k, v in rendered.headers.items() if k.lower() not in per_response} == {
        k: v for k, v in copy.headers.items() if k.lower() not in per_response
    }
    assert copy.headers.getlist("Set-Cookie") == [copy.headers["Set-Cookie"]]
    assert without_cookie_value(copy.headers["Set-Cookie"]) == without_cookie_value(
        rendered.headers["Set-Cookie"]
    )
    assert ("; Secure" in copy.headers["Set-Cookie"]) == site_url.startswith("https://")
    assert int(copy.headers["Content-Length"]) == len(copy.get_data())
    html = copy.get_data(as_text=True)
    with visitor.session_transaction() as session:
        assert set(session) == {"csrf_token"}
    headers = {"Referer": f"{base}{path}"}
    sent = visitor.post(
        path, data=form_data(html, "ada@example.com"), base_url=base, headers=headers
    )
    assert sent.status_code == 303
    with app.app_context():
        db.engine.dispose()


def test_a_kept_form_is_served_without_a_query_or_a_request_context(form_app, content):
    path = f"/events/{content['event']}/register"
    form_app.test_client().get(path)
    statements = []
    with form_app.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    started = []
    try:
        with request_started.connected_to(lambda sender, **extra: started.append(1), form_app):
            copies = [form_app.test_client().get(path) for _ in range(3)]
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert [copy.headers.get("X-Cache") for copy in copies] == ["HIT"] * 3
    assert statements == []
    assert started == []  # answered by the middleware: Flask never dispatched them


def test_a_copy_with_its_own_csrf_key_makes_tokens_the_post_accepts(database_url, content):
    # Flask-WTF signs tokens with WTF_CSRF_SECRET_KEY when it is set: so must the copy.
    app = make_app(
        database_url, WTF_CSRF_SECRET_KEY="another-key-for-tokens", REGISTRATION_MIN_FILL_SECONDS=0
    )
    path = f"/events/{content['event']}/register"
    app.test_client().get(path)
    visitor = app.test_client()
    copy = visitor.get(path)
    assert copy.headers["X-Cache"] == "HIT"
    sent = visitor.post(path, data=form_data(copy.get_data(as_text=True), "ada@example.com"))
    assert sent.status_code == 303
    with app.app_context():
        db.engine.dispose()


def test_a_request_naming_the_session_cookie_never_gets_a_copy(form_app, content):
    # Even with the cookie check blinded, a visitor who sends a session cookie keeps it: a
    # copy would hand them a new session in its place (a staff member signed out by a form).
    form_app.extensions["page_cache"].visitor_cookies = frozenset()
    path = f"/events/{content['event']}/register"
    form_app.test_client().get(path)
    assert form_app.test_client().get(path).headers["X-Cache"] == "HIT"
    holder = form_app.test_client()
    with holder.session_transaction() as session:
        session["note"] = "this visitor's"
    page = holder.get(path)
    assert page.status_code == 200
    assert "X-Cache" not in page.headers
    with holder.session_transaction() as session:
        assert session["note"] == "this visitor's"


def test_the_cache_can_be_turned_off(database_url, content):
    app = make_app(database_url, PAGE_CACHE_SECONDS=0)
    client = app.test_client()
    client.get("/")
    assert "X-Cache" not in client.get("/").headers
    with app.app_context():
        db.engine.dispose()


def session_cookie_of(response) -> str:
    """The signed session cookie a response set, as a browser would send it back."""
    match = re.search(r"(?:^|, )session=([^;]+)", response.headers["Set-Cookie"])
    assert match, "response set no session cookie"
    return match.group(1)


@pytest.mark.parametrize(
    "cookie",
    [
        "session ={value}",
        "session\t={value}",
        "\tsession={value}",
        'session = "{value}"',
        "theme=dark;session ={value}",
        "session ={value}; session=other",
        'note="a;b"; session ={value}',
    ],
)
def test_a_session_the_cache_might_not_recognise_never_becomes_everyone_s_form(
    form_app, content, cookie
):
    # A visitor whose session cookie Flask reads (Werkzeug trims the spaces around its name)
    # gets the form with their own CSRF token; that page must never be what others are sent.
    path = f"/events/{content['event']}/register"
    sender = form_app.test_client()
    value = session_cookie_of(sender.get(path))
    raw = form_app.test_client(use_cookies=False)
    for _ in range(2):  # the second request would be served whatever the first one kept
        own = raw.get(path, headers={"Cookie": cookie.format(value=value)})
        assert own.status_code == 200
    visitor = form_app.test_client()
    form = visitor.get(path)
    sent = visitor.post(path, data=form_data(form.get_data(as_text=True), "new@example.com"))
    assert "the form had expired" not in sent.get_data(as_text=True)
    assert sent.status_code == 303


def test_a_page_rendered_for_a_session_is_not_kept_even_when_the_cookie_check_misses_it(
    form_app, content
):
    # The second defence on its own: with the cookie check blinded (as the old regex was by
    # `session =x`), a page Flask rendered with a CSRF token or a non-empty session is still
    # that visitor's, never the copy others get.
    form_app.extensions["page_cache"].visitor_cookies = frozenset()
    path = f"/events/{content['event']}/register"
    sender = form_app.test_client()
    sender.get(path)
    with sender.session_transaction() as session:
        session["note"] = "this visitor's"
    for _ in range(2):
        assert sender.get(path).status_code == 200
        assert sender.get("/privacy").status_code == 200
    assert "X-Cache" not in form_app.test_client().get("/privacy").headers
    visitor = form_app.test_client()
    form = visitor.get(path)
    sent = visitor.post(path, data=form_data(form.get_data(as_text=True), "new@example.com"))
    assert sent.status_code == 303


@pytest.mark.parametrize(
    "junk", ["/privacy?junk={n}", "/privacy?page={n}", "/events/{event}/register?junk={n}"]
)
def test_junk_query_strings_do_not_empty_the_cache(client, content, junk):
    kept = ["/", f"/blog/{content['article']}", "/blog/?page=1"]
    for path in kept:
        client.get(path)
        assert client.get(path).headers.get("X-Cache") == "HIT", path
    stranger = client.application.test_client(use_cookies=False)  # a new visitor each time
    for n in range(500):
        response = stranger.get(junk.format(n=n, event=content["event"]))
        assert response.status_code == 200
    for path in kept:
        assert client.get(path).headers.get("X-Cache") == "HIT", path


def test_made_up_host_headers_do_not_empty_the_cache(client, content):
    kept = ["/", f"/blog/{content['article']}"]
    for path in kept:
        client.get(path)
    stranger = client.application.test_client(use_cookies=False)
    for n in range(500):
        assert stranger.get("/privacy", headers={"Host": f"junk{n}.example"}).status_code == 200
    for path in kept:
        assert client.get(path).headers.get("X-Cache") == "HIT", path


@pytest.mark.parametrize(
    "path", ["/privacy?junk=1", "/blog/?page=01", "/blog/?page=1&page=2", "/blog/?page=1&junk=x"]
)
def test_a_query_string_a_page_does_not_read_is_rendered_not_kept(client, content, path):
    first = client.get(path)
    again = client.get(path)
    assert first.status_code == again.status_code == 200
    assert "X-Cache" not in again.headers
    assert again.get_data() == first.get_data()


def test_the_processes_of_one_host_share_the_generation_file_even_when_it_is_replaced(tmp_path):
    """Without Redis the token lives in a file each process rewrites in place; one process's
    bump is read by the others, and a file deleted under them is made again and shared."""
    from app.http.generation import FileGeneration

    path = tmp_path / "content-generation"
    first, second = FileGeneration(path), FileGeneration(path)
    token = first.read()
    assert second.read() == token and len(token) == 16
    bumped = second.bump()
    assert first.read() == bumped != token
    path.unlink()
    renewed = first.read()
    assert renewed not in (token, bumped)
    assert second.read() == renewed
    assert first.bump() == second.read()
