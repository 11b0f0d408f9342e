"""A second, independent iCalendar parser: Mozilla's ical.js run with Node (`make icaljs`)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ICALJS = (
    Path(__file__).resolve().parents[2] / ".cache/icaljs/node_modules/ical.js/dist/ical.es5.cjs"
)

SCRIPT = """
const ICAL = require(process.argv[1]);
let text = '';
process.stdin.on('data', chunk => text += chunk);
process.stdin.on('end', () => {
  const calendar = new ICAL.Component(ICAL.parse(text));
  for (const zone of calendar.getAllSubcomponents('vtimezone')) {
    ICAL.TimezoneService.register(zone);
  }
  const events = calendar.getAllSubcomponents('vevent').map(vevent => {
    const event = new ICAL.Event(vevent);
    return {
      uid: event.uid,
      summary: event.summary,
      sequence: event.sequence,
      status: vevent.getFirstPropertyValue('status'),
      start_utc: event.startDate.toUnixTime(),
      end_utc: event.endDate.toUnixTime(),
      start_local: event.startDate.toString(),
      tzid: event.startDate.zone ? event.startDate.zone.tzid : null,
    };
  });
  process.stdout.write(JSON.stringify({
    method: calendar.getFirstPropertyValue('method'),
    events,
  }));
});
"""


def parse_with_icaljs(ics: str) -> dict:
    """{'method', 'events': [{uid, summary, sequence, status, start_utc, end_utc, ...}]}."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the ical.js check needs Node")
    if not ICALJS.exists():
        pytest.skip("ical.js is not installed: run `make icaljs` (needs npm)")
    result = subprocess.run(
        ["node", "-e", SCRIPT, str(ICALJS)],
        input=ics,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
