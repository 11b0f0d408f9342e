"""Registration clients: each fetches the form as a browser would (its own session cookie,
CSRF token and render stamp, its own address via X-Forwarded-For), then posts it."""

import http.client
import queue
import re
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

# The registration form refuses a submit sooner than this after it was rendered (anti-bot).
MIN_FILL_SECONDS = 2.0


@dataclass
class FilledForm:
    address: str
    cookie: str
    body: bytes


@dataclass
class PostResults:
    statuses: list[int] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return len(self.statuses) / self.seconds if self.seconds else 0.0

    @property
    def server_errors(self) -> int:
        return sum(1 for status in self.statuses if status >= 500 or status == 0)

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else 0.0


def client_address(number: int, network: int) -> str:
    return f"10.{network}.{number // 256 % 256}.{number % 256}"


def connection(base_url: str) -> http.client.HTTPConnection:
    parts = urlsplit(base_url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)


def hidden_value(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html)
    if match is None:
        raise RuntimeError(f"the registration form has no {name} field")
    return match.group(1)


def fetch_form(base_url: str, slug: str, number: int, network: int) -> FilledForm:
    """GET the form as visitor `number` and fill it in (not yet sent)."""
    address = client_address(number, network)
    conn = connection(base_url)
    try:
        conn.request("GET", f"/events/{slug}/register", headers={"X-Forwarded-For": address})
        response = conn.getresponse()
        html = response.read().decode()
        cookie_header = response.getheader("Set-Cookie", "")
    finally:
        conn.close()
    if response.status != 200:
        raise RuntimeError(f"form GET answered {response.status}")
    cookie = cookie_header.split(";", 1)[0]
    fields = {
        "csrf_token": hidden_value(html, "csrf_token"),
        "rendered": hidden_value(html, "rendered"),
        "website": "",
        "name": f"Bench Visitor {network}-{number}",
        "email": f"visitor{number}.net{network}@bench.example",
        "company": "Benchmark Ltd",
        "job_title": "Load tester",
        "accessibility": "",
        "consent": "y",
    }
    return FilledForm(address, cookie, urlencode(fields).encode())


def prepare_forms(base_url: str, slug: str, count: int, network: int) -> list[FilledForm]:
    """Fetch `count` forms in parallel, then wait out the minimum fill time."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        forms = list(
            pool.map(lambda n: fetch_form(base_url, slug, n, network), range(1, count + 1))
        )
    time.sleep(MIN_FILL_SECONDS + 0.3)
    return forms


def post_forms(base_url: str, slug: str, forms: list[FilledForm], concurrency: int) -> PostResults:
    """Send every filled form, `concurrency` at a time; status and latency of each."""
    results = PostResults()
    lock = threading.Lock()
    work: queue.Queue[FilledForm] = queue.Queue()
    for form in forms:
        work.put(form)

    def sender() -> None:
        conn = connection(base_url)
        while True:
            try:
                form = work.get_nowait()
            except queue.Empty:
                break
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": form.cookie,
                "X-Forwarded-For": form.address,
            }
            started = time.perf_counter()
            try:
                conn.request("POST", f"/events/{slug}/register", body=form.body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
                conn = connection(base_url)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                results.statuses.append(status)
                results.latencies_ms.append(elapsed)
        conn.close()

    threads = [threading.Thread(target=sender) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.seconds = time.perf_counter() - started
    return results
