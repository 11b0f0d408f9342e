"""The page types a visitor (or staff member) meets, and helpers to look at them in a browser."""

import re
import time
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urlsplit

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
}


@dataclass
class Visit:
    """One page as served (the HTML the server sent) and what axe found on it."""

    name: str
    url: str
    status: int
    html: str
    violations: list = field(default_factory=list)


def sitemap_paths(site_url: str) -> list[str]:
    with urllib.request.urlopen(f"{site_url}/sitemap.xml", timeout=10) as response:
        tree = ET.fromstring(response.read())
    return [urlsplit(loc.text).path for loc in tree.iter(f"{SITEMAP_NS}loc")]


def first_path(paths: list[str], prefix: str, exclude: tuple[str, ...] = ()) -> str:
    """The first sitemap path of one kind (e.g. under '/blog/tags/'); never the index itself."""
    found = [p for p in paths if p.startswith(prefix) and p != prefix and not p.startswith(exclude)]
    assert found, f"the sitemap lists no page under {prefix}"
    return found[0]


def public_reading_paths(site_url: str) -> dict[str, str]:
    """One path per public page type a reader meets, taken from the sitemap like a crawler."""
    paths = sitemap_paths(site_url)
    return {
        "home": "/",
        "blog index": "/blog/",
        "article": first_path(paths, "/blog/", exclude=("/blog/tags/",)),
        "tag": first_path(paths, "/blog/tags/"),
        "author": first_path(paths, "/authors/"),
        "events": "/events/",
        "event": first_path(paths, "/events/"),
        "privacy": "/privacy",
        # The programme (issue 15).
        "programme": next(p for p in paths if p.endswith("/programme")),
        "speakers": "/speakers/",
        "speaker": first_path(paths, "/speakers/"),
    }


def run_axe(page) -> list[dict]:
    """axe-core's violations for the page as it is now (WCAG 2.1 A/AA and best practice)."""
    from axe_playwright_python.sync_playwright import Axe

    return Axe().run(page, options=AXE_OPTIONS).response["violations"]


def describe_violations(violations: list[dict]) -> str:
    """A report a person can act on: rule, impact, what to fix and where."""
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    at {' '.join(map(str, node['target']))}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


def visit(page, name: str, path: str, *, axe: bool = True) -> Visit:
    """Open `path`, keep the HTML exactly as served, and run axe on the rendered page."""
    response = page.goto(path)
    assert response is not None, f"{name}: no response for {path}"
    found = Visit(name=name, url=page.url, status=response.status, html=response.text())
    if axe:
        found.violations = run_axe(page)
    return found


def has_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def tab_to(page, target, most: int = 60) -> None:
    """Press Tab until `target` has the focus, as a keyboard user moves through a page."""
    for _ in range(most):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{most} presses of Tab never reached {target}")


def text_of(message) -> str:
    """The plain-text body of a received email."""
    return message.get_body(preferencelist=("plain",)).get_content()


def wait_for_mail(smtp, address: str, subject_starts: str, timeout: float = 15.0):
    """The first email to `address` whose subject starts with `subject_starts`, once it arrives."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in smtp.to(address):
            if str(message["Subject"]).strip().startswith(subject_starts):
                return message
        smtp.wait_for(len(smtp.messages) + 1, timeout=0.5)
    received = [str(m["Subject"]) for m in smtp.to(address)]
    raise AssertionError(f"no email '{subject_starts}…' to {address}; received: {received}")


def manage_link(message, site_url: str) -> str:
    """The personal manage link in a registration email."""
    match = re.search(re.escape(site_url) + r"/registrations/[\w.-]+", text_of(message))
    assert match, f"no manage link in:\n{text_of(message)}"
    return match.group(0)
