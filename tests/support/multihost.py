"""Two app hosts in network namespaces behind nginx, sharing a throw-away PostgreSQL and Redis.

The layout, all on this machine and torn down afterwards:

    root namespace                          namespace nl<N>a (host "a")   namespace nl<N>b
    ──────────────                          ─────────────────────────   ────────────────
    nginx 127.0.0.1:<port> ──┐              gunicorn 10.231.N.11:8000    gunicorn .12:8000
    PostgreSQL 10.231.N.1    ├─ bridge ─ veth  outbox worker              outbox worker
    Redis 10.231.N.1:6379    │  10.231.N.1/24
    SMTP  10.231.N.1:2525  ──┘

nginx runs the project's own deploy/nginx.conf (plain http on loopback instead of TLS; the
upstream lists the two hosts). Which host served a response is read from each gunicorn's
access log, which records the X-Request-ID nginx gave the request.
"""

import asyncio
import contextlib
import http.client
import itertools
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from app.config import ROOT
from tests.support import nginx
from tests.support.smtp import CollectingHandler, SMTPServer

IP = shutil.which("ip") or "/usr/sbin/ip"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"
BIN = Path(sys.executable).parent
SECRET_KEY = "multihost-" + "k" * 54
DATABASE = "northlight"
PG_PORT = 55432
REDIS_PORT = 6379
SMTP_PORT = 2525
APP_PORT = 8000
# The worker looks at the outbox at least this often (seconds): mail within a second or so.
WORKER_INTERVAL = "1"
# A killed worker's claimed message is retried after this long (production: 300 s).
CLAIM_LEASE_SECONDS = 4


def postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: p.parent)
    return found[-1].parent if found else None


def skip_reason() -> str | None:
    """Why the rig cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root (network namespaces)"
    if not os.path.exists(IP):
        return "no `ip` (iproute2)"
    if subprocess.run([IP, "netns", "list"], capture_output=True).returncode != 0:
        return "`ip netns` does not work here"
    if not os.path.exists(NGINX):
        return "no nginx (apt-get install nginx-light)"
    if postgres_bin() is None:
        return "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin"
    if not os.path.exists(REDIS):
        return "no redis-server"
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return "no `postgres` user to run the throw-away cluster"
    return None


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("check", True)
    kwargs.setdefault("capture_output", True)
    kwargs.setdefault("text", True)
    kwargs.setdefault("timeout", 60)
    return subprocess.run([str(a) for a in args], **kwargs)


def wait_for_port(host: str, port: int, timeout: float = 30, process=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"{process.args[0]} exited before listening on {host}:{port}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listening on {host}:{port} after {timeout} s")


def spawn(command: list, log: Path, env: dict | None = None) -> subprocess.Popen:
    """Start `command` in a session of its own (so its whole group can be signalled), output
    appended to `log`."""
    with log.open("a") as out:
        return subprocess.Popen(
            [str(part) for part in command],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_process(process: subprocess.Popen | None, sig=signal.SIGTERM, timeout=10) -> None:
    """Signal a process's whole group (it was started in a session of its own), then reap it."""
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


class Network:
    """A bridge in the root namespace and one namespace per host, joined to it by veth pairs."""

    def __init__(self, hosts: tuple[str, ...]) -> None:
        # A subnet and names of this run's own: a second run elsewhere does not collide.
        self.n = os.getpid() % 200 + 20
        self.bridge = f"nlbr{self.n}"
        self.gateway = f"10.231.{self.n}.1"
        self.namespaces = {name: f"nl{self.n}{name}" for name in hosts}
        self.addresses = {name: f"10.231.{self.n}.{11 + i}" for i, name in enumerate(hosts)}

    def up(self) -> None:
        self.down()  # leftovers of a run that was killed before its finalisers
        run(IP, "link", "add", self.bridge, "type", "bridge")
        run(IP, "addr", "add", f"{self.gateway}/24", "dev", self.bridge)
        run(IP, "link", "set", self.bridge, "up")
        for name, namespace in self.namespaces.items():
            veth = f"{namespace}v"
            run(IP, "netns", "add", namespace)
            run(IP, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", namespace)
            run(IP, "link", "set", veth, "master", self.bridge, "up")
            run(IP, "-n", namespace, "addr", "add", f"{self.addresses[name]}/24", "dev", "eth0")
            run(IP, "-n", namespace, "link", "set", "eth0", "up")
            run(IP, "-n", namespace, "link", "set", "lo", "up")

    def down(self) -> None:
        for namespace in self.namespaces.values():
            run(IP, "netns", "del", namespace, check=False)
        run(IP, "link", "del", self.bridge, check=False)

    def exec_prefix(self, name: str) -> list[str]:
        return [IP, "netns", "exec", self.namespaces[name]]


class Postgres:
    """A throw-away cluster owned by the postgres user, listening on the bridge address only."""

    def __init__(self, base: Path, address: str) -> None:
        self.bin = postgres_bin()
        self.dir = base / "pg"
        self.data = self.dir / "data"
        self.address = address
        self.url = f"postgresql+psycopg://postgres@{address}:{PG_PORT}/{DATABASE}"

    def as_postgres(self, *args, **kwargs) -> subprocess.CompletedProcess:
        return run("runuser", "-u", "postgres", "--", *args, **kwargs)

    def create(self) -> None:
        self.dir.mkdir()
        shutil.chown(self.dir, "postgres", "postgres")
        self.as_postgres(
            self.bin / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"listen_addresses = '{self.address}'\nport = {PG_PORT}\n"
                f"unix_socket_directories = '{self.dir}'\nmax_connections = 200\n"
                # Throw-away: a crash may lose it all. Clean stops (the restart test) lose nothing.
                "fsync = off\nfull_page_writes = off\nsynchronous_commit = off\n"
            )
        with (self.data / "pg_hba.conf").open("a") as hba:
            hba.write(f"host all all {self.address}/24 trust\n")
        self.start()
        self.as_postgres(self.bin / "createdb", "-h", self.dir, "-p", PG_PORT, DATABASE)

    def start(self) -> None:
        self.as_postgres(
            self.bin / "pg_ctl", "-D", self.data, "-l", self.dir / "log", "-w", "-t", "30", "start"
        )

    def stop(self, mode: str = "fast") -> None:
        self.as_postgres(
            self.bin / "pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "30", "stop", check=False
        )


class MailHandler(CollectingHandler):
    """Keeps messages with the address that sent them; can hold one host's next send mid-way.

    A held send stops at RCPT, before any content is handed over: the test kills that host's
    worker then, so its claimed message was never delivered and must be retried by another.
    """

    def __init__(self) -> None:
        super().__init__()
        self.peers: list[str] = []
        self.hold_from: str | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self.held_recipient: str | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.hold_from is not None and session.peer[0] == self.hold_from:
            self.hold_from = None
            self.held_recipient = address
            self.holding.set()
            for _ in range(600):  # at most a minute
                if self.release.is_set():
                    break
                await asyncio.sleep(0.1)
            return "451 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        with self.lock:
            self.peers.append(session.peer[0])
        return await super().handle_DATA(server, session, envelope)


class BridgeSMTPServer(SMTPServer):
    def __init__(self, host: str) -> None:
        self.host = host
        self.port = SMTP_PORT
        self.handler = MailHandler()
        self.controller = None

    def delivered(self) -> list[tuple[str, object]]:
        """(sender address, message) for every message received, in order."""
        with self.handler.lock:
            return list(zip(self.handler.peers, self.handler.messages, strict=True))


@dataclass
class Host:
    """One app machine: gunicorn (2 workers) and an outbox worker, in its own namespace."""

    name: str
    address: str
    prefix: list[str]
    env: dict
    logs: Path
    web: subprocess.Popen | None = None
    worker: subprocess.Popen | None = None
    starts: int = 0
    seen_ids: set = field(default_factory=set)
    read_up_to: int = 0

    @property
    def access_log(self) -> Path:
        return self.logs / f"{self.name}-access.log"

    @property
    def web_log(self) -> Path:
        return self.logs / f"{self.name}-gunicorn.log"

    @property
    def worker_log(self) -> Path:
        return self.logs / f"{self.name}-worker.log"

    def start(self) -> None:
        self.starts += 1
        env = {
            **self.env,
            "GUNICORN_BIND": f"{self.address}:{APP_PORT}",
            "GUNICORN_ACCESS_LOG": str(self.access_log),
            "FORWARDED_ALLOW_IPS": self.env["NORTHLIGHT_GATEWAY"],
        }
        self.web = self.spawn(
            [BIN / "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"], env, self.web_log
        )
        self.worker = self.spawn(
            [BIN / "flask", "--app", "wsgi", "outbox", "deliver", "--loop"]
            + ["--interval", WORKER_INTERVAL],
            env,
            self.worker_log,
        )
        wait_for_port(self.address, APP_PORT, timeout=60, process=self.web)
        # Both gunicorn workers up, so nginx's requests spread over four processes from the start.
        deadline = time.monotonic() + 60
        while self.web_log.read_text().count("Worker ready") < 2 * self.starts:
            assert time.monotonic() < deadline, f"host {self.name}: workers did not start"
            assert self.web.poll() is None, f"host {self.name}: gunicorn exited"
            time.sleep(0.1)

    def spawn(self, command: list, env: dict, log: Path) -> subprocess.Popen:
        return spawn([*self.prefix, *command], log, env=env)

    def kill(self) -> None:
        """The machine dies: every process of it at once, no chance to finish anything."""
        stop_process(self.web, signal.SIGKILL)
        stop_process(self.worker, signal.SIGKILL)

    def stop(self) -> None:
        stop_process(self.worker)
        stop_process(self.web)

    def run_python(self, code: str) -> str:
        """Run Python inside this host (its namespace and settings), e.g. an edit by its app."""
        result = run(*self.prefix, BIN / "python", "-c", code, cwd=ROOT, env=self.env)
        return result.stdout

    def request_ids(self) -> set[str]:
        """The X-Request-IDs of every response this host's gunicorn has sent (so far)."""
        if not self.access_log.exists():
            return set()
        with self.access_log.open() as log:
            log.seek(self.read_up_to)
            for line in log:
                if not line.endswith("\n"):
                    break  # half-written: read it next time
                self.read_up_to += len(line.encode())
                with contextlib.suppress(ValueError, KeyError):
                    self.seen_ids.add(json.loads(line)["request_id"])
        return self.seen_ids


def render_site(port: int, upstreams: list[str], directory: Path) -> str:
    """deploy/nginx.conf as production has it, but for this rig's hosts, port and paths."""
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    replacements = [
        (
            "    server 127.0.0.1:8000 fail_timeout=0;\n",
            "".join(f"    server {a}:{APP_PORT} fail_timeout=0;\n" for a in upstreams),
        ),
        # TLS is the browser tests' business: plain http on loopback here.
        (
            "    listen 443 ssl http2;\n    listen [::]:443 ssl http2;\n",
            f"    listen 127.0.0.1:{port};\n",
        ),
        ("/var/log/nginx/northlight.access.log", str(directory / "access.log")),
        ("/var/cache/nginx/northlight-media", str(directory / "media-cache")),
        ("/srv/northlight/static/", f"{ROOT}/static/"),
    ]
    for old, new in replacements:
        assert old in site, f"deploy/nginx.conf changed: {old!r} not found"
        site = site.replace(old, new)
    site = re.sub(r"\n    ssl_certificate[^\n]*", "", site)
    # The http-to-https redirect server listens on port 80, which is not ours to take.
    site, count = re.subn(r"server \{\n    listen 80;.*?\n\}\n", "", site, flags=re.S)
    assert count == 1, "deploy/nginx.conf changed: no port-80 redirect server found"
    # A rush of 100 visitors, each also holding an upstream connection.
    return nginx.render_main(site, directory, workers=2, connections=1024)


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: str
    elapsed: float

    @property
    def request_id(self) -> str:
        return self.headers.get("X-Request-ID", "")

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


_sources = itertools.count()


@dataclass
class Browser:
    """A visitor at an address of their own (127.77.x.y), keeping their cookies."""

    port: int
    source: str = field(default_factory=lambda: next_source())
    cookies: dict = field(default_factory=dict)

    def request(self, method: str, path: str, form: dict | None = None, timeout=20) -> Reply:
        body = urllib.parse.urlencode(form) if form is not None else None
        headers = {"Host": f"127.0.0.1:{self.port}", "Connection": "close"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.monotonic()
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=timeout, source_address=(self.source, 0)
        )
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            pair, _, attributes = cookie.partition(";")
            name, _, value = pair.strip().partition("=")
            if "max-age=0" in attributes.lower() or "1970" in attributes:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return Reply(response.status, response.headers, text, time.monotonic() - started)

    def get(self, path: str, **kwargs) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, form: dict, **kwargs) -> Reply:
        return self.request("POST", path, form=form, **kwargs)


def next_source() -> str:
    n = next(_sources)
    return f"127.77.{n // 250}.{n % 250 + 1}"


def hidden_field(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html
    )
    assert match, f"no {name} field on the page"
    return match.group(1)


class Rig:
    """Everything above, started in order and stopped in reverse, whatever happened between."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="northlight-multihost-"))
        self.base.chmod(0o755)  # nginx's workers (nobody) and the postgres user look inside
        self.logs = self.base / "logs"
        self.logs.mkdir()
        self.network = Network(("a", "b"))
        self.gateway = self.network.gateway
        self.postgres = Postgres(self.base, self.gateway)
        self.smtp = BridgeSMTPServer(self.gateway)
        self.redis: subprocess.Popen | None = None
        self.nginx: subprocess.Popen | None = None
        self.port = free_loopback_port()
        self.site_url = f"http://127.0.0.1:{self.port}"
        self.env = self.app_environment()
        self.hosts = {
            name: Host(name, address, self.network.exec_prefix(name), self.env, self.logs)
            for name, address in self.network.addresses.items()
        }
        self.stack = contextlib.ExitStack()

    def app_environment(self) -> dict:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DATABASE_URL", "MAIL_", "RATELIMIT_", "GUNICORN_"))
        }
        env.update(
            FLASK_ENV="production",
            SECRET_KEY=SECRET_KEY,
            DATABASE_URL=self.postgres.url,
            RATELIMIT_STORAGE_URI=f"redis://{self.gateway}:{REDIS_PORT}/0",
            RATELIMIT_ENABLED="1",
            SITE_URL=self.site_url,
            TRUSTED_PROXIES="1",
            MAIL_SERVER=self.gateway,
            MAIL_PORT=str(SMTP_PORT),
            MAIL_DELIVERY="worker",
            OUTBOX_CLAIM_LEASE_SECONDS=str(CLAIM_LEASE_SECONDS),
            WEB_CONCURRENCY="2",
            PYTHONUNBUFFERED="1",
            NORTHLIGHT_GATEWAY=self.gateway,
        )
        return env

    def start(self) -> None:
        stack = self.stack
        if not os.environ.get("MULTIHOST_KEEP_LOGS"):  # set it to read the logs afterwards
            stack.callback(shutil.rmtree, self.base, ignore_errors=True)
        stack.callback(self.network.down)
        self.network.up()
        stack.callback(self.postgres.stop, "immediate")
        self.postgres.create()
        stack.callback(self.stop_redis)
        self.start_redis()
        stack.callback(self.smtp.stop)
        self.smtp.start()
        run(BIN / "flask", "--app", "wsgi", "db", "upgrade", cwd=ROOT, env=self.env, timeout=120)
        for host in self.hosts.values():
            stack.callback(host.stop)
            host.start()
        self.start_nginx()

    def start_redis(self) -> None:
        """Redis on the bridge, keeping nothing: started again after stop_redis, it is empty."""
        self.redis = spawn(
            [REDIS, "--bind", self.gateway, "--port", REDIS_PORT, "--save", "", "--appendonly"]
            + ["no", "--protected-mode", "no"],
            self.logs / "redis.log",
        )
        wait_for_port(self.gateway, REDIS_PORT, process=self.redis)

    def stop_redis(self) -> None:
        stop_process(self.redis)

    def start_nginx(self) -> None:
        directory = self.base / "nginx"
        directory.mkdir()
        conf = directory / "nginx.conf"
        upstreams = [host.address for host in self.hosts.values()]
        conf.write_text(render_site(self.port, upstreams, directory))
        run(NGINX, "-t", "-p", directory, "-c", conf)
        self.nginx = spawn(
            [NGINX, "-p", directory, "-c", conf, "-g", "daemon off;"], self.logs / "nginx.log"
        )
        self.stack.callback(stop_process, self.nginx, signal.SIGQUIT)
        wait_for_port("127.0.0.1", self.port, process=self.nginx)

    def close(self) -> None:
        self.stack.close()

    def browser(self) -> Browser:
        return Browser(self.port)

    def served_by(self, replies: list[Reply]) -> dict[str, int]:
        """How many of `replies` each host served (by request id in its access log)."""
        counts = dict.fromkeys(self.hosts, 0)
        for reply in replies:
            name = self.host_of(reply)
            if name is not None:
                counts[name] += 1
        return counts

    def host_of(self, reply: Reply, wait: float = 3.0) -> str | None:
        """The host that served `reply`. gunicorn logs a response just after sending it, so a
        reply can arrive before its log line: wait a little for it (bounded)."""
        deadline = time.monotonic() + wait
        while True:
            for name, host in self.hosts.items():
                if reply.request_id in host.request_ids():
                    return name
            if time.monotonic() > deadline or not reply.request_id:
                return None
            time.sleep(0.05)

    def cli(self, *args: str, input: str | None = None) -> str:
        """`flask --app wsgi ARGS` with the hosts' settings, from the root namespace."""
        command = [BIN / "flask", "--app", "wsgi", *args]
        return run(*command, cwd=ROOT, env=self.env, input=input).stdout

    def host_name_of_address(self, address: str) -> str | None:
        return next((n for n, h in self.hosts.items() if h.address == address), None)


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
