"""Reading the app's JSON log lines from captured output."""

import json


def json_lines(text: str) -> list[dict]:
    """The structured log lines in captured stderr (other output is ignored)."""
    lines = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except ValueError:
                continue
    return lines


def request_lines(text: str) -> list[dict]:
    return [line for line in json_lines(text) if line.get("logger") == "northlight.request"]
