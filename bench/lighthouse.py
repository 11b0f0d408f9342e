"""Lighthouse scores (performance, accessibility, best practices, SEO) for the pages people land on.

    .venv/bin/python bench/lighthouse.py                 # its own server on demo content
    .venv/bin/python bench/lighthouse.py --base URL      # a site that is already running
    .venv/bin/python bench/lighthouse.py --preset desktop

Runs npm's lighthouse (pinned below, installed once into .cache/lighthouse) in Debian's
Chromium ($CHROME_PATH, default /usr/bin/chromium); no browser is downloaded. Prints one
line per page and writes the full reports to bench/out/lighthouse-<preset>.json.
Not part of `make test`: scores are measurements, not pass/fail checks.
"""

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE_VERSION = "12.2.3"
CACHE = ROOT / ".cache" / "lighthouse"
LIGHTHOUSE_CLI = CACHE / "node_modules" / "lighthouse" / "cli" / "index.js"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)
FIELD_TRIP = "/events/geothermal-compute-iceland-data-centre-field-trip"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def ensure_lighthouse() -> None:
    installed = CACHE / "node_modules" / "lighthouse" / "package.json"
    if installed.exists() and json.loads(installed.read_text())["version"] == LIGHTHOUSE_VERSION:
        return
    if shutil.which("npm") is None:
        sys.exit("lighthouse: npm not found (Node.js 20 or newer is needed)")
    print(f"installing lighthouse@{LIGHTHOUSE_VERSION} into {CACHE} ...", file=sys.stderr)
    subprocess.run(
        ["npm", "install", "--prefix", str(CACHE), "--no-audit", "--no-fund"]
        + ["--loglevel=error", f"lighthouse@{LIGHTHOUSE_VERSION}"],
        check=True,
        env={**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1"},
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def demo_site():
    """gunicorn on a fresh, seeded SQLite database on a free port; stopped afterwards."""
    with tempfile.TemporaryDirectory(prefix="northlight-lighthouse-") as folder:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{folder}/site.sqlite",
            "SITE_URL": url,
            "SECRET_KEY": secrets.token_hex(32),
            "XDG_RUNTIME_DIR": folder,
        }
        env.pop("MAIL_SERVER", None)
        flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
        for command in (["db", "upgrade"], ["seed"]):
            subprocess.run(flask + command, cwd=ROOT, env=env, check=True, capture_output=True)
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "wsgi:app", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", "2", "--no-control-socket"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(url)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=15)


def wait_until_up(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"lighthouse: {url} did not come up")


def pages(base: str) -> dict[str, str]:
    """Home, the first article in the sitemap, the field trip and its registration form."""
    with urllib.request.urlopen(f"{base}/sitemap.xml", timeout=10) as response:
        tree = ET.fromstring(response.read())
    paths = [urlsplit(loc.text).path for loc in tree.iter(f"{SITEMAP_NS}loc")]
    articles = [p for p in paths if p.startswith("/blog/") and p.count("/") == 2 and p[6:]]
    events = [p for p in paths if p.startswith("/events/") and p[8:]]
    event = FIELD_TRIP if FIELD_TRIP in events else events[0]
    return {
        "home": "/",
        "article": articles[0],
        "event": event,
        "registration": f"{event}/register",
    }


def score(base: str, path: str, preset: str) -> dict | str:
    """One Lighthouse run: the parsed JSON report, or why there is none."""
    command = [
        "node",
        str(LIGHTHOUSE_CLI),
        base + path,
        "--output=json",
        "--output-path=stdout",
        "--quiet",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    if preset == "desktop":
        command.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        return f"not measured: {lines[-1] if lines else 'lighthouse failed'}"
    return json.loads(result.stdout)


def failing_audits(report: dict) -> list[str]:
    """Scored audits below 1 in any category: what keeps a score from 100."""
    found = []
    for category in report["categories"].values():
        for ref in category["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] > 0 and audit["score"] is not None and audit["score"] < 1:
                found.append(f"{category['id']}: {audit['id']} ({audit['score']:.2f})")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", help="an already running site, e.g. http://127.0.0.1:5000")
    parser.add_argument("--preset", choices=["mobile", "desktop"], default="mobile")
    args = parser.parse_args()
    ensure_lighthouse()
    with demo_site() if args.base is None else _given(args.base) as base:
        targets = pages(base)
        reports = {name: score(base, path, args.preset) for name, path in targets.items()}
    print(f"Lighthouse {LIGHTHOUSE_VERSION}, {args.preset}, simulated throttling")
    print(f"{'page':<14}{'performance':>13}{'accessibility':>15}{'best-practices':>16}{'seo':>6}")
    for name, report in reports.items():
        if isinstance(report, str):
            print(f"{name:<14}{report}")
            continue
        scores = [round(report["categories"][c]["score"] * 100) for c in CATEGORIES]
        print(f"{name:<14}{scores[0]:>13}{scores[1]:>15}{scores[2]:>16}{scores[3]:>6}")
        for problem in failing_audits(report):
            print(f"    {problem}")
    out = ROOT / "bench" / "out" / f"lighthouse-{args.preset}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    summary = {
        name: {
            "url": report["finalDisplayedUrl"],
            "scores": {c: report["categories"][c]["score"] for c in CATEGORIES},
            "failing_audits": failing_audits(report),
        }
        for name, report in reports.items()
        if not isinstance(report, str)
    }
    out.write_text(json.dumps(summary, indent=2))
    print(f"summary: {out.relative_to(ROOT)}")


@contextmanager
def _given(base: str):
    yield base.rstrip("/")


if __name__ == "__main__":
    main()
