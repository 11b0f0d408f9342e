"""The project's own deploy/nginx.conf, rendered to run in a test: TLS with a throw-away
certificate, on free loopback ports, in front of a test gunicorn.

The rendered site differs from the deployed one only in ports, certificate paths, the static
path, log paths and the upstream address; it is wrapped in a minimal main configuration (pid,
error log and temp paths in a private folder) so `nginx -c` runs it without touching the
system's nginx.
"""

import base64
import hashlib
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOYED = ROOT / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
OPENSSL = shutil.which("openssl")


def missing() -> str | None:
    """Why nginx behind TLS cannot run here, or None when it can."""
    if not Path(NGINX).exists():
        return "nginx not found (apt-get install nginx-light): https tests skipped"
    if OPENSSL is None:
        return "openssl not found: no throw-away certificate, https tests skipped"
    return None


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path
    spki_sha256: str  # base64, as Chromium's --ignore-certificate-errors-spki-list wants it


def make_certificate(folder: Path, host: str = "127.0.0.1") -> Certificate:
    """A self-signed certificate for `host`, valid for two days."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
        + ["-nodes", "-days", "2", "-subj", "/CN=northlight.test"]
        + ["-addext", f"subjectAltName=IP:{host},DNS:localhost"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    pem = subprocess.run(
        [OPENSSL, "x509", "-in", str(cert), "-noout", "-pubkey"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    der = base64.b64decode("".join(line for line in pem.splitlines() if "-----" not in line))
    return Certificate(cert, key, base64.b64encode(hashlib.sha256(der).digest()).decode())


def render_site(
    *,
    http_port: int,
    https_port: int,
    certificate: Certificate,
    static_dir: Path,
    access_log: Path,
    upstream: str,
    source: str | None = None,
) -> str:
    """deploy/nginx.conf with the test's ports, paths and upstream; nothing else changed."""
    conf = DEPLOYED.read_text() if source is None else source
    replacements = [
        ("server 127.0.0.1:8000 ", f"server {upstream} "),
        ("    listen 80;\n", f"    listen 127.0.0.1:{http_port};\n"),
        ("    listen [::]:80;\n", ""),
        ("    listen 443 ssl http2;\n", f"    listen 127.0.0.1:{https_port} ssl http2;\n"),
        ("    listen [::]:443 ssl http2;\n", ""),
        # On 443 the port is implied; on a test port the redirect and the host must carry it.
        (
            "return 301 https://$host$request_uri;",
            f"return 301 https://$host:{https_port}$request_uri;",
        ),
        ("proxy_set_header Host $host;", f"proxy_set_header Host $host:{https_port};"),
        ("X-Forwarded-Host $host;", f"X-Forwarded-Host $host:{https_port};"),
        ("/etc/letsencrypt/live/northlight.example/fullchain.pem", str(certificate.cert)),
        ("/etc/letsencrypt/live/northlight.example/privkey.pem", str(certificate.key)),
        ("alias /srv/northlight/static/;", f"alias {static_dir}/;"),
        ("/var/log/nginx/northlight.access.log", str(access_log)),
        ("/var/cache/nginx/northlight-media", str(access_log.parent / "media-cache")),
    ]
    for old, new in replacements:
        if old not in conf:
            raise ValueError(f"deploy/nginx.conf changed shape: {old!r} not found")
        conf = conf.replace(old, new)
    return conf


def render_main(site: str, folder: Path, *, workers: int = 1, connections: int = 256) -> str:
    """A main nginx.conf around `site`: everything nginx writes stays in `folder`."""
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(exist_ok=True)
    return "\n".join(
        [
            f"pid {folder / 'nginx.pid'};",
            f"error_log {folder / 'error.log'} warn;",
            f"worker_processes {workers};",
            f"events {{ worker_connections {connections}; }}",
            "http {",
            "    include /etc/nginx/mime.types;",
            "    default_type application/octet-stream;",
            f"    access_log {folder / 'other.access.log'};",
            f"    client_body_temp_path {temp['body']};",
            f"    proxy_temp_path {temp['proxy']};",
            f"    fastcgi_temp_path {temp['fastcgi']};",
            f"    uwsgi_temp_path {temp['uwsgi']};",
            f"    scgi_temp_path {temp['scgi']};",
            site,
            "}",
            "",
        ]
    )


class Nginx:
    """nginx in the foreground, as a child of the test run; `stop()` ends it."""

    def __init__(self, folder: Path, site: str) -> None:
        self.folder = folder
        self.conf = folder / "nginx.conf"
        self.conf.write_text(render_main(site, folder))
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        check = subprocess.run(
            [NGINX, "-t", "-q", "-c", str(self.conf), "-p", str(self.folder)],
            capture_output=True,
            text=True,
        )
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t refused the rendered config:\n{check.stderr}")
        self.process = subprocess.Popen(
            [NGINX, "-c", str(self.conf), "-p", str(self.folder), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )

    def wait_until_serving(self, url: str, timeout: float = 15) -> None:
        """Until `url` answers through nginx (any HTTP status counts)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited early:\n{self.error_log()}")
            try:
                urllib.request.urlopen(url, timeout=2).close()
                return
            except urllib.error.HTTPError as error:
                error.close()
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        raise RuntimeError(f"nginx did not answer {url}:\n{self.error_log()}")

    def error_log(self) -> str:
        path = self.folder / "error.log"
        return path.read_text()[-3000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()  # SIGTERM: nginx's fast shutdown
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
