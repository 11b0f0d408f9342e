"""`make bench`: Northlight under gunicorn against a bare Flask hello world, on this machine.

Starts everything itself in a scratch directory (and a scratch PostgreSQL database when
DATABASE_URL names a server; SQLite otherwise), loads it from separate processes over
loopback, and prints Markdown tables for bench/RESULTS.md:

1. public pages (/, an article and an event with covers, the registration form, an image,
   the programme, speakers, the calendar feeds): wrk requests/s, p50 and p99, as a ratio to
   hello world under the same gunicorn.conf.py, against the 0.8 goal; with and without the
   page cache;
2. registration POSTs, each from its own address, until a 1,000-seat event is full (plus
   100 more for the waiting list), with an outbox worker sending the confirmations;
3. registration latency with an SMTP server taking 2 s per message vs an instant one;
4. exporting 100,000 attendees as CSV and XLSX: time and the worker's peak memory, against
   the database's own CSV dump as the floor;
5. an announcement to 20,000 opted-in people: rows queued per second, delivery rate against a
   slow SMTP server with a worker killed mid-way, duplicates and losses (bench/announcements.py).

Options: --seconds N (wrk duration per URL), --connections N,
--only pages,register,smtp,export,announce.
"""

import argparse
import csv
import os
import runpy
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import announcements, clients, goals  # noqa: E402
from bench.harness import (  # noqa: E402
    ROOT,
    Gunicorn,
    Scratch,
    SMTPServer,
    base_env,
    limiter_storage,
    run_flask,
    wrk,
)

REGISTER_SEATS = 1000
REGISTER_EXTRA = 100  # sign-ups after the event is full: they must join the waiting list
SMTP_SAMPLES = 60
RUSH_SLUG = "bench-rush"
RUSH_SEATS = 400
RUSH_SIGNUPS = 500
RUSH_SECONDS = 8
EXPORT_ROWS = 100_000
LIST_SLUG = "bench-list"
LIST_ATTENDEES = 1000
PAGE_GOAL = 0.8  # public pages and image responses, with the page cache: ratio to hello world
STAFF_EMAIL = "bench-staff@northlight.example"
STAFF_PASSWORD = "bench-password-not-secret-1"


def section(title: str) -> None:
    print(f"\n## {title}\n", flush=True)


def table(header: str, rows: list[list]) -> None:
    """A Markdown table: `header` is "name|>number|..." (">" right-aligns a column)."""
    names = [name.lstrip(">") for name in header.split("|")]
    rule = ["---:" if name.startswith(">") else "---" for name in header.split("|")]
    for cells in (names, rule, *rows):
        print("| " + " | ".join(str(cell) for cell in cells) + " |")


def log(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


# --- data ---------------------------------------------------------------------------------


def bench_app(scratch: Scratch):
    from app import create_app

    # MAIL_DELIVERY=worker: this process only reads and seeds. With the default (thread) its
    # sender, woken for a scheduled job, delivered the servers' pending mail with no mail
    # server set, marking it held (237 confirmations and the whole announcement, once).
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": scratch.url,
            "PAGE_CACHE_SECONDS": 0,
            "MAIL_DELIVERY": "worker",
        }
    )


def create_events(app, slugs_and_capacity: dict[str, int | None]) -> None:
    """Conferences open for registration, one per benchmark that needs its own seats."""
    from app.extensions import db
    from app.models import Event

    now = datetime.now(UTC)
    with app.app_context():
        for slug, capacity in slugs_and_capacity.items():
            starts_at = now + timedelta(days=60)
            event = Event(
                kind="conference",
                title=f"Benchmark {slug}",
                slug=slug,
                summary="An event the benchmark fills.",
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=8),
                timezone="Europe/Berlin",
                venue="Hall B",
                city="Berlin",
                country="Germany",
                capacity=capacity,
                seats_taken=0,
                waitlist_enabled=True,
                registration_opens_at=now - timedelta(days=1),
                registration_closes_at=starts_at - timedelta(days=1),
                status="published",
                published_at=now - timedelta(days=1),
            )
            event.set_description("Seats for the benchmark.")
            db.session.add(event)
        db.session.commit()


def public_urls(app) -> dict[str, str]:
    """One URL per public page type, each goal >= 0.8 of the ceiling (issues 12 and 15): the
    article and event chosen with a cover picture (the event with a programme too), one image
    response itself, the programme, a speaker (with a portrait when one has it) and the
    calendar feeds."""
    from sqlalchemy import select

    from app.extensions import db
    from app.media.markup import fallback_variant, variant_url
    from app.models import ProgrammeSession
    from app.site import programme, queries

    with app.app_context():
        articles = list(db.session.scalars(queries.visible_articles()))
        article = next((a for a in articles if a.image is not None), articles[0])
        with_sessions = set(db.session.scalars(select(ProgrammeSession.event_id)))
        events = queries.upcoming_events()
        event = next(
            (e for e in events if e.image is not None and e.id in with_sessions), events[0]
        )
        speakers = programme.all_speakers()
        speaker = next((s for s in speakers if s.image is not None), None) or (
            speakers[0] if speakers else None
        )
        urls = {
            "/ (home)": "/",
            "article (with cover)": f"/blog/{article.slug}",
            "event page (with cover)": f"/events/{event.slug}",
            "registration form (GET)": f"/events/{event.slug}/register",
            # The programme (issue 15): pages and calendars polled by calendar apps.
            "programme": f"/events/{event.slug}/programme",
            "programme.ics": f"/events/{event.slug}/programme.ics",
            "events calendar.ics": "/events/calendar.ics",
            "speakers": "/speakers/",
        }
        if speaker is not None:
            urls["speaker page"] = f"/speakers/{speaker.slug}"
        cover = event.image or article.image
        if cover is not None and fallback_variant(cover) is not None:
            # An image response itself (issue 12): content-addressed, cached like a page.
            urls["image (event cover, JPEG)"] = variant_url(fallback_variant(cover))
        db.session.rollback()
        return urls


def registration_counts(app, slug: str) -> dict[str, int]:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Event, OutboxMessage, Registration

    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        rows = db.session.execute(
            select(Registration.status, func.count())
            .where(Registration.event_id == event.id)
            .group_by(Registration.status)
        ).all()
        counts = dict(rows)
        counts["seats_taken"] = event.seats_taken
        counts["outbox_pending"] = db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.event_id == event.id, OutboxMessage.status == "pending")
        )
        counts["outbox_total"] = db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.event_id == event.id)
        )
        db.session.rollback()
        return counts


# --- 1. pages -----------------------------------------------------------------------------


def session_cookie(base_url: str, form_path: str) -> str:
    """The cookie an attendee holds after opening the registration form: a session with a
    CSRF token in it. Any request carrying it is rendered by the view, never the page cache."""
    conn = clients.connection(base_url)
    conn.request("GET", form_path)
    response = conn.getresponse()
    response.read()
    conn.close()
    return session_from(response)


# The pages measured with a session cookie: home, the article, the event page (their labels
# may carry a note, "article (with cover)").
SESSION_PAGES = ("/", "article", "event page")


def session_pages(urls: dict[str, str]) -> list[str]:
    return [name for name in urls if name.split(" (")[0] in SESSION_PAGES]


def bench_pages(scratch, env, app, urls, seconds, connections) -> None:
    section(f"Public pages: wrk, {connections} connections, {seconds:g} s per URL")
    logs = scratch.dir
    warm = max(3.0, seconds / 3)
    staff_urls = {"staff attendee list (1,000 attendees)": f"/staff/events/{LIST_SLUG}/attendees"}
    log("queries per request (in-process)")
    queries = goals.queries_per_request(app, urls, staff_urls, (STAFF_EMAIL, STAFF_PASSWORD))

    def measure(server: Gunicorn, path: str, headers: dict | None = None):
        expect_ok(server.base_url, path, headers or {})
        # Warm up: each worker compiles its templates and fills its caches on first use.
        wrk(server.base_url + path, warm, connections, headers=headers)
        result = wrk(server.base_url + path, seconds, connections, headers=headers)
        if result is None:
            raise RuntimeError(f"no request to {path} completed in {seconds} s")
        return result

    log("hello world")
    with Gunicorn("hello:app", env, logs / "hello.log", cwd=ROOT / "bench") as server:
        ceiling = measure(server, "/")
    results = {}
    for label, cache_seconds in (("cached", "60"), ("uncached", "0")):
        with Gunicorn(
            "wsgi:app", env, logs / f"app-{label}.log", PAGE_CACHE_SECONDS=cache_seconds
        ) as server:
            for name, path in urls.items():
                log(f"{name} ({label})")
                results[name, label] = measure(server, path)
            if label != "cached":
                continue
            # With the page cache on, as in production: what a visitor holding a session
            # cookie (an attendee after signing up) or a staff member gets.
            cookie = session_cookie(server.base_url, urls["registration form (GET)"])
            for name in session_pages(urls):
                log(f"{name} (session cookie)")
                results[name, "session"] = measure(server, urls[name], {"Cookie": cookie})
            staff_cookie = sign_in(server.base_url)
            for name, path in staff_urls.items():
                log(name)
                results[name, "session"] = measure(server, path, {"Cookie": staff_cookie})

    def ratio(result) -> str:
        return f"{result.rps / ceiling.rps:.2f}"

    rows = [["hello world (ceiling)", f"{ceiling.rps:,.0f}", f"{ceiling.p50_ms:.1f}"]]
    rows[0] += [f"{ceiling.p99_ms:.1f}", "1.00", "", "", "", "", "", ""]
    for name, path in {**urls, **staff_urls}.items():
        cached, uncached = results.get((name, "cached")), results.get((name, "uncached"))
        session = results.get((name, "session"))
        anonymous_queries, session_queries = queries[name]
        row = [f"{name} `{path}`"]
        if cached is not None:
            row += [f"{cached.rps:,.0f}", f"{cached.p50_ms:.1f}", f"{cached.p99_ms:.1f}"]
            row += [ratio(cached), f"{uncached.rps:,.0f}", ratio(uncached)]
            row.append(goal_met(cached.rps / ceiling.rps))
        else:
            row += ["", "", "", "", "", "", ""]
        row += [f"{session.rps:,.0f}", ratio(session)] if session else ["", ""]
        row.append(f"{'–' if anonymous_queries is None else anonymous_queries} / {session_queries}")
        rows.append(row)
    table(
        "page|>requests/s|>p50 ms|>p99 ms|>ratio to ceiling"
        f"|>without page cache: requests/s|>ratio|goal ≥ {PAGE_GOAL:g} (cached)"
        "|>with a session cookie: requests/s|>ratio"
        "|>SQL queries per request (new visitor / session)",
        rows,
    )
    bad = {key: result.bad for key, result in results.items() if result.bad}
    print(f"\nNon-2xx/3xx responses or socket errors: {bad or 'none'}.")
    for name in session_pages(urls):
        goals.record(
            f"{name} with a session cookie, ratio", float(ratio(results[name, "session"])), "", 0.25
        )
    goals.record(
        "registration form (GET), ratio",
        float(ratio(results["registration form (GET)", "cached"])),
        "",
        0.4,
    )
    for name in staff_urls:
        goals.record(f"{name}, ratio", float(ratio(results[name, "session"])), "", 0.1)


def goal_met(ratio: float) -> str:
    return "met" if ratio >= PAGE_GOAL else "**missed**"


# --- 2. registrations until full ----------------------------------------------------------


def bench_registrations(scratch, env, app, slug: str) -> None:
    total = REGISTER_SEATS + REGISTER_EXTRA
    section(
        f"Registration POSTs: {total} visitors, distinct addresses, {REGISTER_SEATS}-seat event"
    )
    with SMTPServer() as smtp:
        settings = {**env, **smtp.settings}
        with Gunicorn("wsgi:app", settings, scratch.dir / "app-register.log") as server:
            log(f"fetching {total} forms (each its own session and CSRF token)")
            forms = clients.prepare_forms(server.base_url, slug, total, network=1)
            worker = subprocess.Popen(
                [
                    str(Path(sys.executable).with_name("flask")),
                    "--app",
                    "wsgi",
                    "outbox",
                    "deliver",
                    "--loop",
                    "--interval",
                    "0.5",
                ],
                cwd=ROOT,
                env=settings,
                stdout=subprocess.DEVNULL,
                stderr=open(scratch.dir / "outbox-worker.log", "ab"),  # noqa: SIM115
            )
            try:
                log("posting")
                results = clients.post_forms(server.base_url, slug, forms, concurrency=32)
                counts = wait_for_outbox(app, slug, timeout=120)
                message_ids = list(smtp.handler.message_ids)
                rush = bench_rush(server)
                # The worker stops at once on SIGTERM (the message in hand): let it send the
                # rush's mail first, or the next part's servers would.
                wait_for_outbox(app, RUSH_SLUG, timeout=120)
            finally:
                worker.terminate()
                worker.wait(timeout=30)
    statuses = {}
    for status in results.statuses:
        statuses[status] = statuses.get(status, 0) + 1
    table(
        ">posts|>seconds|>registrations/s|>p50 ms|>p99 ms|statuses|>5xx or failed",
        [
            [len(results.statuses), f"{results.seconds:.1f}", f"{results.per_second:,.0f}"]
            + [f"{results.median_ms:.0f}", f"{results.percentile(0.99):.0f}"]
            + [", ".join(f"{k}: {v}" for k, v in sorted(statuses.items()))]
            + [results.server_errors]
        ],
    )
    confirmed = counts.get("confirmed", 0)
    print(
        f"\nConfirmed rows: {confirmed} (capacity {REGISTER_SEATS}: "
        f"{'equal' if confirmed == REGISTER_SEATS else 'NOT EQUAL'}), "
        f"waitlisted: {counts.get('waitlisted', 0)}, seats_taken: {counts['seats_taken']}."
    )
    print(
        f"Outbox: {counts['outbox_total']} messages, {counts['outbox_pending']} still pending; "
        f"SMTP server received {len(message_ids)}, distinct Message-IDs {len(set(message_ids))}."
    )
    print_rush(*rush)
    goals.record("sign-ups until 1,000 seats are full", results.per_second, "/s", 150)
    goals.record("sign-ups until full, p99", results.percentile(0.99), "ms", 500, at_most=True)
    goals.check(
        "exactly 1,000 confirmed, every email once",
        confirmed == REGISTER_SEATS
        and counts["seats_taken"] == REGISTER_SEATS
        and len(message_ids) == len(set(message_ids)) == total
        and results.server_errors == 0,
    )


def wait_for_outbox(app, slug: str, timeout: float) -> dict[str, int]:
    """Until no email about the event is pending (or `timeout`); its registration_counts."""
    deadline = time.monotonic() + timeout
    counts = registration_counts(app, slug)
    while counts["outbox_pending"] and time.monotonic() < deadline:
        time.sleep(0.5)
        counts = registration_counts(app, slug)
    return counts


def bench_rush(server: Gunicorn) -> tuple:
    """The launch-email case: people read the event page while others sign up for it."""
    log(f"rush: {RUSH_SIGNUPS} sign-ups while wrk reads the same event's page")
    forms = clients.prepare_forms(server.base_url, RUSH_SLUG, RUSH_SIGNUPS, network=3)
    reading = {}

    def read_page() -> None:
        reading["page"] = wrk(f"{server.base_url}/events/{RUSH_SLUG}", RUSH_SECONDS, 16)

    reader = threading.Thread(target=read_page)
    reader.start()
    posts = clients.post_forms(server.base_url, RUSH_SLUG, forms, concurrency=16)
    reader.join()
    return posts, reading["page"]


def print_rush(posts: clients.PostResults, page) -> None:
    print(
        f"\nDuring a rush ({RUSH_SIGNUPS} more sign-ups for a {RUSH_SEATS}-seat event, "
        f"16 at a time, while wrk read that event's page over 16 connections for "
        f"{RUSH_SECONDS} s):"
    )
    table(
        "load|>requests/s|>p50 ms|>p99 ms|>5xx or failed",
        [
            ["sign-ups (POST)", f"{posts.per_second:,.0f}", f"{posts.median_ms:.0f}"]
            + [f"{posts.percentile(0.99):.0f}", posts.server_errors],
            ["event page (GET, page cache)", f"{page.rps:,.0f}", f"{page.p50_ms:.1f}"]
            + [f"{page.p99_ms:.1f}", page.bad],
        ],
    )


# --- 3. a slow SMTP server ----------------------------------------------------------------


def bench_smtp_latency(scratch, env, slugs: tuple[str, str]) -> None:
    section(f"Registration latency, MAIL_DELIVERY=thread, {SMTP_SAMPLES} sequential sign-ups each")
    rows = []
    with SMTPServer() as smtp:
        settings = {**env, **smtp.settings, "MAIL_DELIVERY": "thread"}
        with Gunicorn("wsgi:app", settings, scratch.dir / "app-smtp.log") as server:
            for network, (delay, slug) in enumerate(zip((0.0, 2.0), slugs, strict=True), start=2):
                smtp.handler.delay = delay
                forms = clients.prepare_forms(server.base_url, slug, SMTP_SAMPLES + 5, network)
                log(f"SMTP delay {delay:g} s")
                # A few unmeasured sign-ups first: every worker has its templates compiled.
                clients.post_forms(server.base_url, slug, forms[:5], concurrency=5)
                before = len(smtp.handler.message_ids)
                results = clients.post_forms(server.base_url, slug, forms[5:], concurrency=1)
                rows.append((delay, results, len(smtp.handler.message_ids) - before))
            log("waiting for the slow server to receive every message")
            expected = 2 * (SMTP_SAMPLES + 5)
            started = time.monotonic()
            while len(smtp.handler.message_ids) < expected and time.monotonic() - started < 120:
                time.sleep(0.5)
            drained = time.monotonic() - started
            received = len(smtp.handler.message_ids)
    table(
        "SMTP server|>p50 ms|>p90 ms|>max ms|>5xx|>emails received while these were posted",
        [
            ["instant" if not delay else f"{delay:g} s per message", f"{res.median_ms:.1f}"]
            + [f"{res.percentile(0.9):.1f}", f"{max(res.latencies_ms):.1f}", res.server_errors]
            + [delivered]
            for delay, res, delivered in rows
        ],
    )
    ratio = rows[1][1].median_ms / rows[0][1].median_ms
    print(f"\nRatio of median latencies (slow / instant): {ratio:.2f}.")
    print(
        f"All {expected} confirmations reached the slow server {drained:.0f} s after the last "
        f"sign-up ({received} received, {len(set(smtp.handler.message_ids))} distinct)."
    )


# --- 4. exports ---------------------------------------------------------------------------


EXPORT_QUERY = (
    "SELECT r.name, r.email, r.company, r.job_title, r.dietary, r.accessibility, r.status, "
    "r.waitlist_ticket, r.registered_at, r.cancelled_at, r.checked_in_at, r.consent_at, "
    "r.marketing_opt_in, e.title FROM registration r JOIN event e ON e.id = r.event_id "
    "WHERE e.slug = '{slug}' ORDER BY r.id"
)


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """A process's resident memory now (VmRSS) or its peak since the last reset (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def reset_peak_rss(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def session_from(response) -> str:
    """The `session=...` pair among a response's Set-Cookie headers (there may be several:
    the staff sign-in also sets a device cookie)."""
    for header in response.headers.get_all("Set-Cookie") or []:
        pair = header.split(";", 1)[0].strip()
        if pair.startswith("session="):
            return pair
    raise RuntimeError("the response set no session cookie")


def sign_in(base_url: str) -> str:
    """Sign in as the staff user like a browser; the session cookie."""
    from urllib.parse import urlencode

    conn = clients.connection(base_url)
    conn.request("GET", "/staff/login")
    response = conn.getresponse()
    html = response.read().decode()
    cookie = session_from(response)
    body = urlencode(
        {
            "csrf_token": clients.hidden_value(html, "csrf_token"),
            "email": STAFF_EMAIL,
            "password": STAFF_PASSWORD,
        }
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    conn.request("POST", "/staff/login", body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status not in (302, 303) or response.getheader("Location", "").endswith("/login"):
        raise RuntimeError(f"staff sign-in answered {response.status}")
    return session_from(response)


def expect_ok(base_url: str, path: str, headers: dict) -> None:
    """wrk counts a redirect as a success: make sure this page is really served (200)."""
    conn = clients.connection(base_url)
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"{path} answered {response.status}, not 200, with {headers}")


def download(base_url: str, path: str, cookie: str, out: Path) -> tuple[float, float]:
    """GET `path` into `out`; seconds until the first byte of the body, and in all."""
    conn = clients.connection(base_url)
    started = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    if response.status != 200:
        raise RuntimeError(f"{path} answered {response.status}")
    with open(out, "wb") as handle:
        handle.write(response.read1(1 << 16))
        first_byte = time.perf_counter() - started
        while chunk := response.read(1 << 16):
            handle.write(chunk)
    elapsed = time.perf_counter() - started
    conn.close()
    return first_byte, elapsed


def xlsx_rows(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        sheet = next(name for name in archive.namelist() if name.startswith("xl/worksheets/"))
        with archive.open(sheet) as handle:
            return sum(
                chunk.count(b"<row ") + chunk.count(b"<row>")
                for chunk in iter(lambda: handle.read(1 << 20), b"")
            )


def csv_rows(path: Path) -> int:
    with open(path, newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.reader(handle))


def timed_child(command: list[str], stdout) -> tuple[float, float]:
    """Run `command`; its wall time and peak RSS in MB."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=stdout, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{command[0]} failed: {process.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024


def bench_exports(scratch, env, slug: str) -> None:
    section(f"Exporting {EXPORT_ROWS:,} attendees (one gunicorn worker)")
    out = scratch.dir
    rows = []
    with Gunicorn("wsgi:app", env, scratch.dir / "app-export.log", WEB_CONCURRENCY="1") as server:
        [worker] = server.worker_pids()
        cookie = sign_in(server.base_url)
        for extension, count_rows in (("csv", csv_rows), ("xlsx", xlsx_rows)):
            log(f"export {extension}")
            baseline = rss_mb(worker)
            reset_peak_rss(worker)
            path = out / f"export.{extension}"
            first_byte, seconds = download(
                server.base_url, f"/staff/events/{slug}/attendees.{extension}", cookie, path
            )
            peak = rss_mb(worker, "VmHWM")
            rows.append(
                (
                    extension.upper(),
                    first_byte,
                    seconds,
                    baseline,
                    peak,
                    count_rows(path) - 1,
                    path.stat().st_size,
                )
            )
    floor_path = out / "floor.csv"
    command = scratch.dump_csv_command(EXPORT_QUERY.format(slug=slug), floor_path)
    tool = command[0]
    with open(floor_path if tool == "sqlite3" else os.devnull, "wb") as handle:
        floor_seconds, floor_rss = timed_child(command, handle)
    floor_rows = csv_rows(floor_path) - 1
    for name, first_byte, seconds, baseline, peak, count, _ in rows:
        if name == "CSV":
            goals.record("CSV export × the database's dump", seconds / floor_seconds, "×", 4, True)
        else:
            goals.record("XLSX export: first byte after", first_byte, "s", 1, at_most=True)
        goals.record(f"{name} export: memory growth", peak - baseline, "MB", 20, at_most=True)
        goals.check(f"{name} export: all {EXPORT_ROWS:,} rows", count == EXPORT_ROWS)
    rows = [
        [f"{name} via `/staff/events/{slug}/attendees.{name.lower()}`", f"{first_byte:.2f}"]
        + [f"{seconds:.2f}", f"{seconds / floor_seconds:.1f}", f"{baseline:.0f}", f"{peak:.0f}"]
        + [f"{count:,}", f"{size / 1e6:.1f}"]
        for name, first_byte, seconds, baseline, peak, count, size in rows
    ]
    rows.append(
        [f"floor: `{tool}` CSV dump", "", f"{floor_seconds:.2f}", "1.0", "", f"{floor_rss:.0f}"]
        + [f"{floor_rows:,}", f"{floor_path.stat().st_size / 1e6:.1f}"]
    )
    table(
        "export|>first byte s|>seconds|>× floor|>worker RSS before MB|>peak RSS MB"
        "|>data rows|>size MB",
        rows,
    )


# --- main ---------------------------------------------------------------------------------


def describe_machine(scratch) -> None:
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    date = subprocess.run(["date"], capture_output=True, text=True).stdout.strip()
    cpus = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    print(
        f"# Northlight benchmark\n\nDate: {date}. CPUs (`nproc`): {cpus}. Database: {scratch.kind}."
    )
    print(
        f"gunicorn.conf.py: {settings['workers']} {settings['worker_class']} workers x "
        f"{settings['threads']} threads, for the app and the hello-world ceiling alike. "
        "Load from wrk/Python clients on the same machine over loopback. "
        f"Rate limits counted in {urlsplit(limiter_storage()).scheme}."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--only", default="pages,register,smtp,export,announce")
    parser.add_argument("--keep", action="store_true", help="Keep the scratch directory (logs).")
    options = parser.parse_args()
    parts = set(options.only.split(","))
    if shutil.which("wrk") is None:
        raise SystemExit("make bench needs wrk: apt-get install wrk")

    scratch = Scratch(os.environ.get("DATABASE_URL"))
    try:
        env = base_env(scratch)
        describe_machine(scratch)
        log(f"scratch: {scratch.dir}")
        run_flask(env, "db", "upgrade")
        run_flask(env, "seed")
        run_flask(
            env,
            "users",
            "create",
            STAFF_EMAIL,
            "--role",
            "staff",
            "--password-stdin",
            stdin=STAFF_PASSWORD + "\n",
        )
        app = bench_app(scratch)
        create_events(
            app,
            {
                "bench-full": REGISTER_SEATS,
                RUSH_SLUG: RUSH_SEATS,
                "bench-smtp-instant": None,
                "bench-smtp-slow": None,
                "bench-export": None,
                LIST_SLUG: None,
            },
        )
        run_flask(env, "seed", "--attendees", str(LIST_ATTENDEES), "--event", LIST_SLUG)
        if "pages" in parts:
            urls = public_urls(app)
            bench_pages(scratch, env, app, urls, options.seconds, options.connections)
        if "register" in parts:
            bench_registrations(scratch, env, app, "bench-full")
        if "smtp" in parts:
            bench_smtp_latency(scratch, env, ("bench-smtp-instant", "bench-smtp-slow"))
        if "export" in parts:
            log(f"seeding {EXPORT_ROWS:,} attendees")
            run_flask(env, "seed", "--attendees", str(EXPORT_ROWS), "--event", "bench-export")
            bench_exports(scratch, env, "bench-export")
        if "announce" in parts:
            announcements.run(scratch, env, announcements.PEOPLE, 4, 0.02, 900, 2000)
        goals.print_goals(table)
    finally:
        if not options.keep:
            scratch.close()


if __name__ == "__main__":
    main()
