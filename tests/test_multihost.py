"""Several hosts, tested as such: two app hosts (network namespaces, each with gunicorn and an
outbox worker) behind the project's nginx.conf, one PostgreSQL, one Redis, one SMTP server.
The rig is in tests/support/multihost.py; every request below goes through nginx."""

import contextlib
import http.client
import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.media.library import Upload, add_media, check_upload
from app.models import Event, OutboxMessage, OutboxStatus, Registration
from app.registration.queries import waitlist_positions
from tests.support import multihost
from tests.support.database import make_app
from tests.support.factories import create_article, create_event
from tests.support.multihost import Browser, Reply, hidden_field

SKIP = multihost.skip_reason()
pytestmark = pytest.mark.skipif(SKIP is not None, reason=f"multi-host rig: {SKIP}")

# The registration form refuses a submit sooner than this after it was shown (anti-bot); the
# setting (REGISTRATION_MIN_FILL_SECONDS) is not read from the environment, so we wait.
FILL_SECONDS = 2.1
# Each process re-reads the shared content generation this often (app/http/page_store.py).
PAGE_CACHE_CHECK_SECONDS = 1.0
# A loaded two-core machine schedules late; a stale page later than this is a failure.
SCHEDULING_SLACK = 1.0


@pytest.fixture(scope="module")
def rig():
    rig = multihost.Rig()
    try:
        rig.start()
        yield rig
    finally:
        rig.close()


@pytest.fixture(scope="module")
def data(rig):
    """An app in the test process on the rig's database: to set up rows and look at them."""
    app = make_app(rig.postgres.url)
    yield app
    with app.app_context():
        db.engine.dispose()


def new_event(app, slug: str, capacity: int) -> Event:
    with app.app_context():
        event = create_event(slug=slug, title=f"Multi-host {slug}", capacity=capacity)
        db.session.commit()
        return event.id


@dataclass
class Person:
    """A visitor signing up: opens the form, waits as people do, submits (retrying if told to)."""

    browser: Browser
    email: str
    form: dict = field(default_factory=dict)
    replies: list[Reply] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open_form(self, slug: str) -> Reply:
        self.slug = slug
        for _ in range(20):
            reply = self.browser.get(f"/events/{slug}/register")
            self.replies.append(reply)
            if reply.status == 200:
                break
            time.sleep(0.5)
        assert reply.status == 200, reply.status
        self.form = {
            "csrf_token": hidden_field(reply.body, "csrf_token"),
            "rendered": hidden_field(reply.body, "rendered"),
            "name": self.email.split("@")[0],
            "email": self.email,
            "consent": "y",
        }
        return reply

    def submit(self, retry_on=(), attempts: int = 1, pause: float = 0.3) -> Reply | None:
        """POST the form; on a status in `retry_on` (or no answer) try again, at most `attempts`."""
        reply = None
        for _ in range(attempts):
            try:
                reply = self.browser.post(f"/events/{self.slug}/register", self.form)
            except (OSError, http.client.HTTPException) as error:
                # No answer, or half of one (nginx cut off when the host serving it died).
                self.errors.append(repr(error))
                reply = None
            else:
                self.replies.append(reply)
                if reply.status not in retry_on:
                    return reply
            time.sleep(pause)
        return reply

    @property
    def signed_up(self) -> bool:
        """The last answer was "check your email" (new and known addresses get the same one)."""
        last = self.replies[-1]
        return last.status == 303 and last.location.endswith("/register/check-your-email")

    @property
    def repeats(self) -> int:
        """The most confirmations sent again: a POST tried again after one that may have been
        stored re-sends at most once an hour, so at most one more here. A POST that got no
        answer counts too: it may have been stored."""
        return min(1, len(self.replies) + len(self.errors) - 1)


def in_parallel(function, items, timeout: float = 120) -> list:
    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        futures = [pool.submit(function, item) for item in items]
        return [future.result(timeout=timeout) for future in futures]


@contextlib.contextmanager
def reading(rig, path: str, readers: int = 2):
    """Visitors reading `path` every 20 ms while the block runs (bounded: 2000 requests each);
    yields the (time, reply) pairs they collect."""
    replies = []
    stop = threading.Event()

    def read():
        browser = rig.browser()
        for _ in range(2000):
            if stop.is_set():
                return
            with contextlib.suppress(OSError):
                replies.append((time.monotonic(), browser.get(path, timeout=10)))
            time.sleep(0.02)

    threads = [threading.Thread(target=read) for _ in range(readers)]
    for thread in threads:
        thread.start()
    try:
        yield replies
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)


def open_forms(rig, slug: str, prefix: str, count: int) -> list[Person]:
    people = [Person(rig.browser(), f"{prefix}{i:03d}@example.com") for i in range(count)]
    in_parallel(lambda person: person.open_form(slug), people)
    time.sleep(FILL_SECONDS)
    return people


def wait_for_mail(app, event_id: int, timeout: float = 60) -> list[OutboxMessage]:
    """The event's outbox rows once none is pending any more (bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        with app.app_context():
            rows = db.session.scalars(
                select(OutboxMessage).where(OutboxMessage.event_id == event_id)
            ).all()
            db.session.expunge_all()
        if all(row.status != OutboxStatus.PENDING for row in rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.3)


def registrations(app, event_id: int) -> list[Registration]:
    with app.app_context():
        rows = db.session.scalars(
            select(Registration).where(Registration.event_id == event_id).order_by(Registration.id)
        ).all()
        db.session.expunge_all()
        return rows


def message_id(message) -> str:
    return str(message["Message-ID"]).strip().strip("<>")


def delivered_to(rig, prefix: str) -> list[tuple[str, object]]:
    return [(peer, m) for peer, m in rig.smtp.delivered() if str(m["To"]).startswith(prefix)]


def assert_each_row_delivered_once(
    rig, rows: list[OutboxMessage], prefix: str, in_hand: int = 0
) -> list[str]:
    """Every outbox row sent, each exactly once; returns the hosts that sent them.

    `in_hand`: how many messages may arrive twice (same Message-ID) because the database went
    away between the relay accepting them and the worker recording it (one per worker).
    """
    assert {row.status for row in rows} == {OutboxStatus.SENT}
    wanted = {row.message_id.strip("<>") for row in rows}
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        delivered = delivered_to(rig, prefix)
        if len(delivered) >= len(wanted):
            break
        time.sleep(0.2)
    ids = [message_id(m) for _, m in delivered]
    assert set(ids) == wanted, "every message delivered: none lost"
    doubled = len(ids) - len(set(ids))
    assert doubled <= in_hand, f"{doubled} messages delivered twice"
    return [rig.host_name_of_address(peer) for peer, _ in delivered]


def test_100_sign_ups_for_12_seats_spread_over_both_hosts(rig, data):
    event_id = new_event(data, "rush-12", capacity=12)
    people = open_forms(rig, "rush-12", "rush12-", 100)
    start = threading.Barrier(len(people), timeout=30)

    def sign_up(person: Person) -> Reply:
        start.wait()
        return person.submit()

    replies = in_parallel(sign_up, people)

    assert [r.status for r in replies] == [303] * 100
    assert all(r.location.endswith("/register/check-your-email") for r in replies)
    served = rig.served_by(replies)
    assert served["a"] > 0 and served["b"] > 0, served
    assert sum(served.values()) == 100

    rows = registrations(data, event_id)
    assert len(rows) == 100
    assert sum(r.status == "confirmed" for r in rows) == 12
    waiting = sorted((r for r in rows if r.status == "waitlisted"), key=lambda r: r.waitlist_ticket)
    assert [r.waitlist_ticket for r in waiting] == list(range(1, 89))
    with data.app_context():
        event = db.session.get(Event, event_id)
        assert event.seats_taken == 12
        positions = waitlist_positions(event, [r.id for r in waiting])
    assert [positions[r.id] for r in waiting] == list(range(1, 89))

    outbox = wait_for_mail(data, event_id)
    assert sorted(row.registration_id for row in outbox) == [r.id for r in rows]
    senders = assert_each_row_delivered_once(rig, outbox, "rush12-")
    assert set(senders) <= {"a", "b"}
    subjects = [str(m["Subject"]) for _, m in delivered_to(rig, "rush12-")]
    assert sum(s.startswith("Registration confirmed") for s in subjects) == 12
    # The waiting-list emails tell each person their place.
    by_address = {str(m["To"]): m for _, m in delivered_to(rig, "rush12-")}
    for registration in waiting[:3] + waiting[-3:]:
        body = by_address[registration.email].get_body(("plain",)).get_content()
        assert f"{positions[registration.id]}" in body


def test_an_edit_on_one_host_shows_on_the_other_within_the_check_interval(rig, data):
    with data.app_context():
        article = create_article(slug="multihost-edit", title="Before the edit")
        db.session.commit()
        article_id = article.id
    path = "/blog/multihost-edit"
    # Warm every process's page cache: host b must be serving the page from its cache.
    warm = [rig.browser().get(path) for _ in range(16)]
    assert all(r.status == 200 and "Before the edit" in r.body for r in warm)
    hits_on_b = [r for r in warm if rig.host_of(r) == "b" and r.headers.get("X-Cache") == "HIT"]
    assert hits_on_b, "host b should have served the page from its cache"

    rig.hosts["a"].run_python(
        "from wsgi import app\n"
        "from app.extensions import db\n"
        "from app.models import Article\n"
        "with app.app_context():\n"
        f"    article = db.session.get(Article, {article_id})\n"
        "    article.title = 'After the edit on host a'\n"
        "    db.session.commit()\n"
    )
    edited_at = time.monotonic()

    seen = []
    while time.monotonic() < edited_at + PAGE_CACHE_CHECK_SECONDS + SCHEDULING_SLACK + 1.5:
        reply = rig.browser().get(path)
        seen.append((time.monotonic() - edited_at, reply))
        time.sleep(0.05)
    on_b = [(t, r) for t, r in seen if rig.host_of(r) == "b"]
    stale = [t for t, r in on_b if "After the edit on host a" not in r.body]
    late = [t for t, r in on_b if t > PAGE_CACHE_CHECK_SECONDS + SCHEDULING_SLACK]
    assert late, "host b served nothing after the check interval"
    assert not stale or max(stale) <= PAGE_CACHE_CHECK_SECONDS + SCHEDULING_SLACK, stale
    assert all("After the edit on host a" in r.body for t, r in on_b if t in late)


def test_images_are_served_by_both_hosts_from_the_shared_database(rig, data):
    picture = io.BytesIO()
    Image.new("RGB", (640, 360), (30, 90, 140)).save(picture, "PNG")
    picture.seek(0)
    with data.app_context():
        (item,) = add_media([check_upload(Upload("hall.png", picture))], {"alt": "A data hall"})
        db.session.commit()
        filename = next(v.filename for v in item.variants if v.format == "webp")
    # A query string of its own per request, so nginx's own image cache passes each one on.
    replies = [rig.browser().get(f"/media/{filename}?n={n}") for n in range(16)]
    assert [r.status for r in replies] == [200] * 16
    assert {r.headers["Content-Type"] for r in replies} == {"image/webp"}
    assert len({r.body for r in replies}) == 1
    served = rig.served_by(replies)
    assert served["a"] > 0 and served["b"] > 0, served


def test_rate_limits_are_shared_by_both_hosts(rig, data):
    new_event(data, "rate-limited", capacity=100)
    person = Person(rig.browser(), "limited@example.com")
    person.open_form("rate-limited")
    # No consent: each POST is refused (422) and counts against the limit of 10 a minute.
    person.form.pop("consent")
    replies = [person.browser.post("/events/rate-limited/register", person.form) for _ in range(30)]

    statuses = [r.status for r in replies]
    assert statuses == [422] * 10 + [429] * 20, statuses
    hosts_refusing = {rig.host_of(r) for r in replies if r.status == 429}
    hosts_allowing = {rig.host_of(r) for r in replies if r.status == 422}
    assert hosts_refusing == {"a", "b"}, "both hosts refuse once the shared limit is reached"
    assert hosts_allowing == {"a", "b"}, "the ten allowed were split between the hosts too"
    # Through nginx, as visitors get it: the page's "wait a minute", and no counts for a script.
    refused = [r for r in replies if r.status == 429]
    assert all(r.headers.get("Retry-After") == "60" for r in refused)
    assert not any(r.headers.get("X-RateLimit-Remaining") for r in replies)
    assert all("Please wait a minute and try again" in r.body for r in refused)


STAFF_EMAIL = "multihost-admin@example.com"
STAFF_PASSWORD = "a long multi-host password"


@pytest.fixture(scope="module")
def staff_browser(rig):
    rig.cli("users", "create", STAFF_EMAIL, "--role", "admin", "--password-stdin",
            input=STAFF_PASSWORD + "\n")  # fmt: skip
    browser = rig.browser()
    form = browser.get("/staff/login")
    reply = browser.post(
        "/staff/login",
        {
            "csrf_token": hidden_field(form.body, "csrf_token"),
            "email": STAFF_EMAIL,
            "password": STAFF_PASSWORD,
        },
    )
    assert reply.status == 302 and reply.location.endswith("/staff/"), reply.status
    browser.signed_in_on = rig.host_of(reply)
    return browser


def test_a_staff_session_made_on_one_host_works_on_the_other(rig, staff_browser):
    replies = [staff_browser.get("/staff/") for _ in range(8)]
    assert [r.status for r in replies] == [200] * 8
    assert all(STAFF_EMAIL in r.body for r in replies)
    served = rig.served_by(replies)
    other = "b" if staff_browser.signed_in_on == "a" else "a"
    assert served[other] > 0 and served[staff_browser.signed_in_on] > 0, served


def test_signing_out_on_one_host_ends_the_session_on_both(rig, staff_browser):
    old_cookies = dict(staff_browser.cookies)
    page = staff_browser.get("/staff/")
    reply = staff_browser.post(
        "/staff/logout", {"csrf_token": hidden_field(page.body, "csrf_token")}
    )
    assert reply.status == 302
    replayed = Browser(rig.port, cookies=old_cookies)
    replies = [replayed.get("/staff/") for _ in range(6)]
    assert rig.served_by(replies)["a"] > 0 and rig.served_by(replies)["b"] > 0
    assert [r.status for r in replies] == [302] * 6, [r.status for r in replies]


def test_a_host_killed_mid_rush_loses_and_doubles_nothing(rig, data):
    event_id = new_event(data, "rush-kill", capacity=1000)
    people = open_forms(rig, "rush-kill", "rushkill-", 80)
    host_a = rig.hosts["a"]
    handler = rig.smtp.handler
    handler.release.clear()
    handler.holding.clear()
    # Host a's worker will be stopped half-way through its next send, holding a claimed message.
    handler.hold_from = host_a.address
    start = threading.Barrier(len(people) + 1, timeout=30)
    # Sign-ups are quick: a quarter go first, the rest once host a's worker is mid-send, so
    # the kill lands in the middle of the rush however fast the first ones were answered.
    first_wave = {person.email for person in people[: len(people) // 4]}
    rest_go = threading.Event()
    answered = []

    def sign_up(person: Person) -> Reply | None:
        start.wait()
        if person.email not in first_wave:
            rest_go.wait(60)
        reply = person.submit(retry_on=(502, 503, 504), attempts=10)
        answered.append(person)
        return reply

    try:
        with ThreadPoolExecutor(max_workers=len(people)) as pool:
            futures = [pool.submit(sign_up, person) for person in people]
            start.wait()
            # Mid-rush: host a's worker is mid-send and half of the sign-ups are answered.
            handler.holding.wait(15)
            rest_go.set()
            assert handler.holding.wait(30), "host a's worker never tried to send"
            deadline = time.monotonic() + 30
            while len(answered) < len(people) // 2 and time.monotonic() < deadline:
                time.sleep(0.01)
            host_a.kill()
            killed_after = len(answered)
            handler.release.set()
            for future in futures:
                future.result(timeout=120)
        assert killed_after < len(people), "the rush was over before the kill"

        assert all(person.signed_up for person in people), [p.replies[-1].status for p in people]
        statuses = {r.status for p in people for r in p.replies}
        assert not any(500 <= s < 600 and s not in (502, 504) for s in statuses), statuses
        late = [r for p in people for r in p.replies[-1:]]
        assert rig.served_by(late)["b"] > 0

        rows = registrations(data, event_id)
        assert sorted(r.email for r in rows) == sorted(p.email for p in people)
        outbox = wait_for_mail(data, event_id, timeout=CLAIM_WAIT)
        # Nothing half-made: every registration has its email, and a retried POST that found
        # the registration already there queued the confirmation at most once more.
        per_registration = {r.id: 0 for r in rows}
        for row in outbox:
            per_registration[row.registration_id] += 1
        repeats = {r.id: next(p.repeats for p in people if p.email == r.email) for r in rows}
        assert all(1 <= n <= 1 + repeats[rid] for rid, n in per_registration.items())
        senders = assert_each_row_delivered_once(rig, outbox, "rushkill-")
        # The message host a had claimed when it died was sent later, by host b.
        held = [row for row in outbox if row.to_address == handler.held_recipient]
        assert held and max(row.attempts for row in held) >= 2
        assert "b" in senders
    finally:
        handler.hold_from = None
        handler.release.set()
        host_a.kill()
        host_a.start()


# The killed worker's claim is retried once its lease runs out, plus a worker's loop interval.
CLAIM_WAIT = multihost.CLAIM_LEASE_SECONDS + 30


def test_postgresql_restarted_under_load_503s_then_full_service_nothing_lost(rig, data):
    event_id = new_event(data, "rush-restart", capacity=1000)
    people = open_forms(rig, "rush-restart", "restart-", 40)
    outage = {}

    def sign_up(person: Person) -> Reply | None:
        # Sign-ups keep coming throughout: before, during and after the outage.
        time.sleep((people.index(person) % 20) * 0.15)
        return person.submit(retry_on=(502, 503, 504), attempts=30, pause=0.5)

    with (
        reading(rig, "/healthz") as page_replies,
        ThreadPoolExecutor(max_workers=len(people) + 1) as pool,
    ):
        futures = [pool.submit(sign_up, person) for person in people]
        time.sleep(0.8)
        rig.postgres.stop("fast")
        outage["start"] = time.monotonic()  # down from here (pg_ctl waited for the stop)
        time.sleep(2)
        outage["end"] = time.monotonic()  # to here
        rig.postgres.start()
        for future in futures:
            future.result(timeout=120)

    during = [r for t, r in page_replies if outage["start"] < t < outage["end"]]
    assert during and all(r.status == 503 for r in during), {r.status for r in during}
    assert all('"unreachable"' in r.body for r in during)
    refused = [r for p in people for r in p.replies if p.replies and r.status == 503]
    assert refused, "no sign-up met the outage"
    # A sign-up that met the outage got the styled page, told when to try again.
    assert all(r.headers.get("Retry-After") and "Back in a moment" in r.body for r in refused)
    statuses = {r.status for p in people for r in p.replies} | {r.status for _, r in page_replies}
    assert statuses <= {200, 303, 503}, statuses
    assert all(person.signed_up for person in people)

    # Full service after: both hosts answer the health check and their workers still deliver.
    health = [rig.browser().get("/healthz") for _ in range(6)]
    assert [r.status for r in health] == [200] * 6
    assert rig.served_by(health)["a"] > 0 and rig.served_by(health)["b"] > 0
    for host in rig.hosts.values():
        assert host.worker.poll() is None, f"host {host.name}'s worker died:\n" + "\n".join(
            host.worker_log.read_text(errors="replace").splitlines()[-30:]
        )

    rows = registrations(data, event_id)
    assert sorted(r.email for r in rows) == sorted(p.email for p in people)
    outbox = wait_for_mail(data, event_id)
    with data.app_context():
        counted = db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.event_id == event_id)
        )
    assert counted == len(outbox)
    per_person = {p.email: 0 for p in people}
    for row in outbox:
        per_person[row.to_address] += 1
    assert all(1 <= per_person[p.email] <= 1 + p.repeats for p in people), per_person
    # At least once: a send the relay accepted just as PostgreSQL went away is not recorded, and
    # is sent again (same Message-ID) when the lease runs out: at most one per worker.
    assert_each_row_delivered_once(rig, outbox, "restart-", in_hand=len(rig.hosts))


def test_redis_stopped_under_load_sign_ups_and_pages_go_on_then_limits_are_shared_again(rig, data):
    event_id = new_event(data, "rush-redis", capacity=1000)
    people = open_forms(rig, "rush-redis", "redis-", 30)

    def sign_up(person: Person) -> Reply | None:
        time.sleep((people.index(person) % 15) * 0.15)  # before and during the outage
        return person.submit()

    with (
        reading(rig, "/events/rush-redis") as page_replies,
        ThreadPoolExecutor(max_workers=len(people)) as pool,
    ):
        futures = [pool.submit(sign_up, person) for person in people]
        time.sleep(0.5)
        rig.stop_redis()
        stopped = time.monotonic()
        for future in futures:
            future.result(timeout=120)
        time.sleep(max(0.0, stopped + 2 - time.monotonic()))  # pages read without it, too

    statuses = {r.status for p in people for r in p.replies} | {r.status for _, r in page_replies}
    assert statuses <= {200, 303}, statuses
    assert all(person.signed_up for person in people)
    assert sorted(r.email for r in registrations(data, event_id)) == sorted(p.email for p in people)
    assert_each_row_delivered_once(rig, wait_for_mail(data, event_id), "redis-")

    # Back: each process looks at Redis again 1, 2, 4 … s after its last look; a short outage
    # leaves at most 4 s to wait. Then the limit is one again across both hosts.
    rig.start_redis()
    time.sleep(6)
    new_event(data, "limited-again", capacity=100)
    person = Person(rig.browser(), "limited-again@example.com")
    person.open_form("limited-again")
    person.form.pop("consent")  # each POST refused (422), and counted
    path = "/events/limited-again/register"
    replies = [person.browser.post(path, person.form) for _ in range(20)]
    assert [r.status for r in replies] == [422] * 10 + [429] * 10
    assert {rig.host_of(r) for r in replies if r.status == 429} == {"a", "b"}
