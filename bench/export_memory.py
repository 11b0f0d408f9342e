"""How much an attendee export grows the process: CSV and XLSX, through the real staff views.

    .venv/bin/python bench/export_memory.py [--rows 100000] [--small 10000]

Builds a scratch SQLite database (or, with DATABASE_URL=postgresql+psycopg://…/postgres, a
throw-away PostgreSQL database on that server), adds fake attendees with the same code as
`flask seed --attendees N --event SLUG`, then exports each list in a fresh process: one
warm-up export of a small event first (imports, caches), then the peak resident memory
(Linux VmHWM, reset just before) minus the memory before, while the response is read and
thrown away chunk by chunk as a client would. Constant memory means the growth for the big
list is about the same as for the small one. Prints a Markdown table.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_SETTINGS = {
    "TESTING": True,
    "SECRET_KEY": "bench-only",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "PAGE_CACHE_SECONDS": 0,
    "MAIL_SERVER": "",
    "MAIL_DELIVERY": "worker",
}
EMAIL, PASSWORD = "bench@example.com", "bench password, not a secret"


def memory_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def reset_peak() -> None:
    # Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0+).
    Path("/proc/self/clear_refs").write_text("5")


def make_app(url: str):
    from app import create_app

    return create_app({**BENCH_SETTINGS, "SQLALCHEMY_DATABASE_URI": url})


def prepare(url: str, rows: int, small: int) -> None:
    """Schema, one big and one small event with attendees, a staff account."""
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from app.demo.seed import add_fake_attendees
    from app.extensions import db
    from app.models import User
    from tests.support.factories import create_event

    app = make_app(url)
    with app.app_context():
        upgrade()
        db.session.add(
            User(email=EMAIL, role="staff", password_hash=generate_password_hash(PASSWORD))
        )
        for slug, count in (("warm-up", 1000), ("small", small), ("big", rows)):
            event = create_event(slug=slug, title=f"Bench {slug}", capacity=None)
            db.session.commit()
            add_fake_attendees(event, count)
            db.session.commit()
        db.engine.dispose()


def measure(url: str, path: str) -> None:
    """In this process: warm up, then export `path`; prints 'seconds rss_before peak bytes'."""
    app = make_app(url)
    client = app.test_client()
    response = client.post("/staff/login", data={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    extension = path.rsplit(".", 1)[-1]
    drain(client, f"/staff/events/warm-up/attendees.{extension}")
    reset_peak()
    before = memory_kib("VmRSS")
    started = time.perf_counter()
    size = drain(client, path)
    seconds = time.perf_counter() - started
    print("RESULT", seconds, before, memory_kib("VmHWM"), size, flush=True)


def drain(client, path: str) -> int:
    """Read the response as a client would, a chunk at a time, keeping none of it."""
    response = client.get(path, buffered=False)
    assert response.status_code == 200, (path, response.status_code)
    size = 0
    for chunk in response.response:
        size += len(chunk)
    response.close()
    return size


def scratch_database(tmp: Path) -> tuple[str, callable]:
    server = os.environ.get("DATABASE_URL", "")
    if not server:
        return f"sqlite:///{tmp / 'bench.sqlite'}", lambda: None
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = make_url(server).set(database="postgres")
    name = f"northlight_export_bench_{os.getpid()}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

    return admin.set(database=name).render_as_string(hide_password=False), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--measure", nargs=2, metavar=("URL", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(*args.measure)
        return

    with tempfile.TemporaryDirectory(prefix="northlight-export-") as folder:
        url, drop = scratch_database(Path(folder))
        try:
            print(f"Preparing {args.rows:,} + {args.small:,} attendees…", file=sys.stderr)
            prepare(url, args.rows, args.small)
            print(f"\nDatabase: {url.split(':', 1)[0]}\n")
            print("| export | rows | seconds | RSS before MB | growth MB | size MB |")
            print("| --- | ---: | ---: | ---: | ---: | ---: |")
            for extension in ("csv", "xlsx"):
                for slug, rows in (("small", args.small), ("big", args.rows)):
                    path = f"/staff/events/{slug}/attendees.{extension}"
                    output = subprocess.run(
                        [sys.executable, __file__, "--measure", url, path],
                        capture_output=True,
                        text=True,
                        check=True,
                        cwd=ROOT,
                    ).stdout
                    result = next(line for line in output.splitlines() if line.startswith("RESULT"))
                    seconds, before, peak, size = (float(v) for v in result.split()[1:])
                    print(
                        f"| {extension.upper()} | {rows:,} | {seconds:.1f} | {before / 1024:.0f}"
                        f" | {(peak - before) / 1024:.1f} | {size / 1e6:.1f} |",
                        flush=True,
                    )
        finally:
            drop()


if __name__ == "__main__":
    main()
