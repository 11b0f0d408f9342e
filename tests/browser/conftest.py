"""Real-browser fixtures, in production's shape: the app under gunicorn on a free loopback
port behind nginx with TLS (the project's deploy/nginx.conf, rendered for the test's ports and a
throw-away certificate), a real SMTP server beside it, and Debian's Chromium driven by
Playwright, trusting that one certificate only. Everything started here is stopped here.

Skipped, with the reason in the pytest summary, when Chromium or nginx is not installed.
"""

import os
import secrets
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.extensions import db
from tests.browser import tours
from tests.browser.live import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    NO_CHROMIUM,
    ROOT,
    STAFF_PASSWORD,
    LiveSite,
    run_flask,
    wait_until_healthy,
)
from tests.support import nginx
from tests.support.ports import free_port
from tests.support.smtp import SMTPServer


@pytest.fixture(scope="session")
def smtp():
    """One real SMTP server for the whole browser session; tests tell mail apart by address."""
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def live_site(tmp_path_factory, smtp):
    """The app under gunicorn behind nginx over https, on a migrated, seeded SQLite database,
    until the session ends."""
    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    if reason := nginx.missing():
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("live")
    runtime = folder / "run"
    runtime.mkdir(mode=0o700)
    port, http_port, https_port = free_port(), free_port(), free_port()
    url = f"https://127.0.0.1:{https_port}"
    certificate = nginx.make_certificate(folder)
    database_url = f"sqlite:///{folder / 'site.sqlite'}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SITE_URL": url,
        "TRUSTED_PROXIES": "1",
        "SECRET_KEY": secrets.token_hex(32),
        "MAIL_SERVER": smtp.host,
        "MAIL_PORT": str(smtp.port),
        "MAIL_DELIVERY": "thread",
        "RATELIMIT_ENABLED": "0",
        "RATELIMIT_STORAGE_URI": "memory://",
        # gunicorn opens a control socket per user; keep it out of the real runtime dir.
        "XDG_RUNTIME_DIR": str(runtime),
    }
    env.pop("FLASK_ENV", None)
    run_flask(env, "db", "upgrade")
    run_flask(env, "seed")
    log_path = folder / "gunicorn.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "wsgi:app",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--no-control-socket",
                "--graceful-timeout",
                "5",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    access_log = folder / "northlight.access.log"
    site = nginx.render_site(
        http_port=http_port,
        https_port=https_port,
        certificate=certificate,
        static_dir=ROOT / "static",
        access_log=access_log,
        upstream=f"127.0.0.1:{port}",
    )
    (folder / "nginx").mkdir()
    proxy = nginx.Nginx(folder / "nginx", site)
    # This process's own fetches (urllib: sitemap, health) trust the throw-away certificate.
    saved_cert_file = os.environ.get("SSL_CERT_FILE")
    os.environ["SSL_CERT_FILE"] = str(certificate.cert)
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}", process, log_path)
        proxy.start()
        proxy.wait_until_serving(f"{url}/healthz")
        yield LiveSite(
            url=url,
            database_url=database_url,
            smtp=smtp,
            log_path=log_path,
            env=env,
            certificate=certificate,
            access_log=access_log,
            http_url=f"http://127.0.0.1:{http_port}",
        )
    finally:
        proxy.stop()
        if saved_cert_file is None:
            os.environ.pop("SSL_CERT_FILE", None)
        else:
            os.environ["SSL_CERT_FILE"] = saved_cert_file
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    # A 500 a test did not look at is still a bug: any traceback in the server log fails the run.
    log = log_path.read_text()
    if "Traceback" in log:
        pytest.fail(
            f"the server logged an exception:\n{log[max(0, log.index('Traceback') - 500) :]}"
        )


@pytest.fixture(scope="session")
def browser(live_site):
    """Debian's Chromium, headless, for the whole session (never a downloaded browser)."""
    from playwright.sync_api import expect, sync_playwright

    # A loaded CI machine may take more than the default 5 s to send an email or a page.
    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        # Certificate errors are ignored for the test's own certificate only, by its key.
        trust = f"--ignore-certificate-errors-spki-list={live_site.certificate.spki_sha256}"
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=[*CHROMIUM_FLAGS, trust], headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser, live_site):
    """A fresh browser profile (no cookies) pointed at the live site."""
    ctx = browser.new_context(base_url=live_site.url, accept_downloads=True)
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def site_app(live_site):
    """A Flask app on the live site's database; set data up in its app context and commit."""
    app = live_site.app()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def staff_accounts(live_site):
    """One account per role, made with the documented command; {role: (email, password)}."""
    roles = ("admin", "marketing", "staff")
    accounts = {role: (f"{role}@northlight.example.com", STAFF_PASSWORD) for role in roles}

    def create(role: str) -> str:
        email, password = accounts[role]
        return live_site.flask(
            "users", "create", email, "--role", role, "--password-stdin", stdin=password
        )

    # Three interpreters start at once rather than one after another.
    with ThreadPoolExecutor(max_workers=len(roles)) as pool:
        list(pool.map(create, roles))
    return accounts


@pytest.fixture(scope="session")
def public_tour(browser, live_site):
    """Every public page type, visited once: the HTML as served and axe's findings.

    Shared by the accessibility and HTML validity tests, so each page is fetched only once.
    """
    context = browser.new_context(base_url=live_site.url)
    context.set_default_timeout(10_000)
    page, requested, console_errors = tours.watched_page(context)
    visits = tours.Tour(
        tours.public_visits(page, live_site.url, live_site.smtp), requested, console_errors
    )
    yield visits
    context.close()


@pytest.fixture(scope="session")
def staff_tour(browser, live_site, staff_accounts, public_tour):
    """Every staff page type, signed in as an admin, after the public tour left a registration
    and its emails behind (so lists and the outbox have rows)."""
    context = browser.new_context(base_url=live_site.url)
    context.set_default_timeout(10_000)
    page, requested, console_errors = tours.watched_page(context)
    visits = tours.Tour(
        tours.staff_visits(page, staff_accounts["admin"], live_site.smtp),
        requested,
        console_errors,
    )
    yield visits
    context.close()
