"""The site under test, started the way production starts it: gunicorn on a free loopback port,
on a migrated database, with `flask` commands run against the same database. Chromium's path and
flags are here too."""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from app import create_app
from tests.support import nginx
from tests.support.smtp import SMTPServer

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
# No downloads, no background traffic: the browser talks to our server and nothing else.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NO_CHROMIUM = f"Chromium not found at {CHROMIUM} (apt-get install chromium): browser tests skipped"


@dataclass
class LiveSite:
    """The running site: its base URL, its database and the SMTP server it sends to."""

    url: str
    database_url: str
    smtp: SMTPServer
    log_path: Path
    env: dict
    certificate: nginx.Certificate
    access_log: Path
    http_url: str  # nginx's plain-http server, which only redirects to https

    def app(self):
        """A Flask app on the same database, for setting up data from the test."""
        return create_app(
            {"SQLALCHEMY_DATABASE_URI": self.database_url, "SITE_URL": self.url, "TESTING": True}
        )

    def flask(self, *args: str, stdin: str | None = None) -> str:
        """Run `flask --app wsgi ARGS` against the site's database; its output."""
        return run_flask(self.env, *args, stdin=stdin)


def run_flask(env: dict, *args: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def wait_until_healthy(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited early:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /healthz in 30 s:\n{log_path.read_text()[-3000:]}")


STAFF_PASSWORD = "correct horse battery staple"
