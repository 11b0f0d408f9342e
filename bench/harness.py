"""What the benchmark drives: a scratch database, gunicorn processes, wrk, an SMTP server."""

import asyncio
import contextlib
import functools
import os
import re
import runpy
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes
from pathlib import Path

import redis
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early (status {process.returncode})")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listening on port {port} after {timeout} s")


class Scratch:
    """A temporary directory and database: SQLite in the directory, or a throw-away
    database on the PostgreSQL server named by DATABASE_URL. Removed on close."""

    def __init__(self, server_url: str | None) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="northlight-bench-"))
        self.pg_admin_url = None
        if server_url:
            url = make_url(server_url)
            if not url.drivername.startswith("postgresql"):
                raise SystemExit("DATABASE_URL must be PostgreSQL (or unset for SQLite)")
            name = f"northlight_bench_{os.getpid()}"
            self.pg_admin_url = url.set(drivername="postgresql+psycopg", database="postgres")
            with self._admin() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            self.url = url.set(drivername="postgresql+psycopg", database=name).render_as_string(
                hide_password=False
            )
            self.kind = "PostgreSQL"
        else:
            self.url = f"sqlite:///{self.dir / 'bench.sqlite'}"
            self.kind = "SQLite"

    @contextlib.contextmanager
    def _admin(self):
        engine = create_engine(self.pg_admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                yield connection
        finally:
            engine.dispose()

    def dump_csv_command(self, query: str, out: Path) -> list[str]:
        """The database's own CSV dump of `query` into `out`: the floor for exports."""
        if self.pg_admin_url is None:
            return ["sqlite3", "-csv", "-header", self.url.removeprefix("sqlite:///"), query]
        libpq = make_url(self.url).set(drivername="postgresql").render_as_string(False)
        return ["psql", "-q", libpq, "-c", f"\\copy ({query}) TO '{out}' WITH CSV HEADER"]

    def close(self) -> None:
        if self.pg_admin_url is not None:
            from app.http.generation import generation_file

            # The page cache's token file for this throw-away database (kept in instance/).
            generation_file(self.url, ROOT / "instance").unlink(missing_ok=True)
            name = make_url(self.url).database
            with self._admin() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        subprocess.run(["rm", "-rf", str(self.dir)], check=False)


def run_flask(env: dict, *args: str, stdin: str | None = None) -> str:
    """`flask --app wsgi ARGS` with the benchmark's settings; its output."""
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


class Gunicorn:
    """`gunicorn -c gunicorn.conf.py MODULE:app` on a free port, logs into the scratch dir."""

    def __init__(self, module: str, env: dict, log: Path, cwd: Path = ROOT, **overrides) -> None:
        self.port = free_port()
        self.env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}", **overrides}
        self.module = module
        self.log = log
        self.cwd = cwd
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Gunicorn":
        self.log_start = self.log.stat().st_size if self.log.exists() else 0
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), self.module],
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        wait_for_port(self.port, self.process)
        self.wait_for_workers()
        return self

    def wait_for_workers(self, timeout: float = 120) -> None:
        """Until every worker has loaded the app (gunicorn.conf.py logs "Worker ready")."""
        wanted = (
            int(self.env.get("WEB_CONCURRENCY") or 0)
            or runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"]
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready = len(set(re.findall(rb"Worker ready \(pid: (\d+)\)", self.read_log())))
            if ready >= wanted:
                return
            time.sleep(0.2)
        raise RuntimeError(f"only {ready} of {wanted} workers ready after {timeout} s")

    def read_log(self) -> bytes:
        with open(self.log, "rb") as handle:
            handle.seek(self.log_start)
            return handle.read()

    def worker_pids(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def __exit__(self, *exc) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad: int  # non-2xx/3xx responses plus socket errors


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_latency(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * UNITS[unit]


def wrk(
    url: str, seconds: float, connections: int, threads: int = 2, headers: dict | None = None
) -> WrkResult | None:
    """Load `url` with wrk from a separate process; requests per second and latency
    (None when not one request completed, as can happen in a warm-up). `headers` are sent
    with every request (a session cookie, say)."""
    extra = [arg for name, value in (headers or {}).items() for arg in ("-H", f"{name}: {value}")]
    output = subprocess.run(
        [
            "wrk",
            *extra,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "--latency",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if re.search(r"^\s+0 requests in", output, re.MULTILINE):
        return None
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = parse_latency(re.search(r"^\s+50%\s+(\S+)\s*$", output, re.MULTILINE).group(1))
    p99 = parse_latency(re.search(r"^\s+99%\s+(\S+)\s*$", output, re.MULTILINE).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if errors:
        bad += sum(int(n) for n in errors.groups())
    return WrkResult(rps, p50, p99, requests, bad)


class CountingHandler:
    """An SMTP server's handler that takes `delay` seconds per message and keeps Message-IDs."""

    def __init__(self) -> None:
        self.delay = 0.0
        self.message_ids: list[str] = []
        self.recipients: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        if self.delay:
            await asyncio.sleep(self.delay)
        parsed = message_from_bytes(envelope.original_content)
        with self.lock:
            self.message_ids.append(parsed["Message-ID"])
            self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


class SMTPServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.handler = CountingHandler()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "SMTPServer":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    @property
    def settings(self) -> dict:
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(self.port)}


LOCAL_REDIS = "redis://127.0.0.1:6379/0"


@functools.cache
def limiter_storage() -> str:
    """Where the servers count rate limits: Redis, as in production, where several processes
    serve (BENCH_REDIS_URL or REDIS_URL, else a Redis on this machine's default port when one
    answers); memory:// only when there is none (each process then counts on its own)."""
    url = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL") or LOCAL_REDIS
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5).ping()
    except (redis.RedisError, OSError):
        return "memory://"
    return url


def base_env(scratch: Scratch) -> dict:
    """Production settings for every process the benchmark starts."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MAIL_", "PAGE_CACHE", "GUNICORN_", "RATELIMIT_"))
    }
    env.update(
        {
            "FLASK_ENV": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "DATABASE_URL": scratch.url,
            "SITE_URL": "http://127.0.0.1:5000",
            "TRUSTED_PROXIES": "1",
            "RATELIMIT_STORAGE_URI": limiter_storage(),
            # Counts of their own: a run after another within the hour starts from nothing.
            "RATELIMIT_KEY_PREFIX": f"northlight-bench-{os.getpid()}-{secrets.token_hex(4)}",
            "MAIL_DELIVERY": "worker",
            # Set, even if empty, so a developer's .env cannot point the benchmark elsewhere.
            "MAIL_SERVER": "",
            "PAGE_CACHE_SECONDS": "60",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env
