"""The Nu HTML checker (vnu.jar, installed by `make vnu`) on every page type: no errors."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / ".cache" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.fixture(scope="session")
def java():
    """The java command, or a skip that says what is missing."""
    command = shutil.which("java")
    if command is None:
        pytest.skip("java not found (apt-get install default-jre-headless): Nu checker skipped")
    if not VNU_JAR.exists():
        pytest.skip(f"{VNU_JAR} missing (run `make vnu`; needs npm): Nu HTML checker skipped")
    return command


def nu_errors(java: str, visits: dict, folder: Path) -> dict[str, list[str]]:
    """Errors per page, from one run of the checker over all pages (java starts slowly)."""
    files = {}
    for name, found in visits.items():
        path = folder / (re.sub(r"\W+", "-", name) + ".html")
        path.write_text(found.html)
        files[path.name] = name
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *files],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # vnu prints its JSON report on stderr and exits 1 when it found errors.
    report = json.loads(result.stderr)
    errors = {name: [] for name in files.values()}
    for message in report["messages"]:
        url = message.get("url", "?")
        page = files.get(url.rsplit("/", 1)[-1], url)
        line = message.get("lastLine", "?")
        errors.setdefault(page, []).append(f"line {line}: {message['message']}")
    return {page: found for page, found in errors.items() if found}


def test_public_pages_are_valid_html(java, public_tour, tmp_path):
    errors = nu_errors(java, public_tour, tmp_path)
    assert errors == {}, "\n".join(
        f"{page}:\n  " + "\n  ".join(messages) for page, messages in errors.items()
    )


def test_staff_pages_are_valid_html(java, staff_tour, tmp_path):
    errors = nu_errors(java, staff_tour, tmp_path)
    assert errors == {}, "\n".join(
        f"{page}:\n  " + "\n  ".join(messages) for page, messages in errors.items()
    )
