"""Calendar files of the programme: the event's sessions and the subscribable events feed,
read back by icalendar and by Mozilla's ical.js, times checked against the programme page."""

import re
from datetime import UTC, datetime

import icalendar

from app.extensions import db
from tests.support.factories import create_event, create_session
from tests.support.forms import form_token
from tests.support.icaljs import parse_with_icaljs
from tests.support.staff import signed_in_client

DST_EVE = datetime(2032, 3, 27, 8, 0, tzinfo=UTC)  # 09:00 CET in Berlin
DST_DAY = datetime(2032, 3, 28, 7, 0, tzinfo=UTC)  # 09:00 CEST, after the clocks went forward


def make_programme(app) -> list[int]:
    with app.app_context():
        event = create_event(
            slug="spring-summit",
            starts_at=DST_EVE,
            ends_at=datetime(2032, 3, 28, 16, 0, tzinfo=UTC),
        )
        ids = [
            create_session(event, title="Before the change", starts_at=DST_EVE).id,
            create_session(event, title="After the change", starts_at=DST_DAY).id,
        ]
        db.session.commit()
        return ids


def vevents(ics: str) -> list:
    return [c for c in icalendar.Calendar.from_ical(ics).walk("VEVENT")]


def test_the_programme_calendar_parses_in_both_parsers_with_the_pages_times(app, client):
    make_programme(app)
    response = client.get("/events/spring-summit/programme.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    ics = response.get_data(as_text=True)
    calendar = icalendar.Calendar.from_ical(ics)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    events = vevents(ics)
    assert [str(e["SUMMARY"]) for e in events] == ["Before the change", "After the change"]
    assert [e.decoded("DTSTART").astimezone(UTC) for e in events] == [DST_EVE, DST_DAY]

    other = parse_with_icaljs(ics)
    assert other["method"] == "PUBLISH"
    assert [e["summary"] for e in other["events"]] == ["Before the change", "After the change"]
    assert [e["start_utc"] for e in other["events"]] == [DST_EVE.timestamp(), DST_DAY.timestamp()]
    assert {e["tzid"] for e in other["events"]} == {"Europe/Berlin"}
    assert [e["uid"] for e in other["events"]] == [str(e["UID"]) for e in events]

    # The page shows the same local times: 09:00 on both days, one hour apart in UTC.
    page = client.get("/events/spring-summit/programme").get_data(as_text=True)
    shown = re.findall(r'class="session-time"><time datetime="([^"]+)"', page)
    assert [datetime.fromisoformat(value).astimezone(UTC) for value in shown] == [DST_EVE, DST_DAY]
    assert [e["start_local"][11:16] for e in other["events"]] == ["09:00", "09:00"]


def test_calendars_answer_304_to_a_poll_with_the_etag(app, client):
    make_programme(app)
    first = client.get("/events/spring-summit/programme.ics")
    etag = first.headers["ETag"]
    again = client.get("/events/spring-summit/programme.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304
    feed = client.get("/events/calendar.ics")
    assert feed.status_code == 200 and feed.headers["ETag"]
    polled = client.get("/events/calendar.ics", headers={"If-None-Match": feed.headers["ETag"]})
    assert polled.status_code == 304


def test_moving_a_session_keeps_its_uid_and_raises_sequence(app, client):
    first_id, _ = make_programme(app)
    before = {
        str(e["UID"]): e
        for e in vevents(client.get("/events/spring-summit/programme.ics").get_data(as_text=True))
    }
    staff, _ = signed_in_client(app, "marketing")
    url = f"/staff/events/spring-summit/sessions/{first_id}"
    response = staff.post(
        url,
        data={
            "title": "Before the change",
            "kind": "talk",
            "starts_at": "2032-03-27T11:00",
            "ends_at": "2032-03-27T12:00",
            "room": "Hall A",
            "description": "",
            "capacity": "",
            "status": "scheduled",
            "save": "Save session",
            "csrf_token": form_token(staff, url),
        },
    )
    assert response.status_code == 302
    after_ics = client.get("/events/spring-summit/programme.ics").get_data(as_text=True)
    after = {str(e["UID"]): e for e in vevents(after_ics)}
    assert after.keys() == before.keys()  # same UIDs: calendars update, not duplicate
    moved_uid = next(uid for uid in after if uid.startswith(f"session-{first_id}@"))
    assert int(after[moved_uid]["SEQUENCE"]) == int(before[moved_uid]["SEQUENCE"]) + 1
    assert after[moved_uid].decoded("DTSTART").astimezone(UTC) == datetime(
        2032, 3, 27, 10, 0, tzinfo=UTC
    )
    other = {e["uid"]: e for e in parse_with_icaljs(after_ics)["events"]}
    assert other[moved_uid]["sequence"] == int(after[moved_uid]["SEQUENCE"])
    unmoved = next(uid for uid in after if uid != moved_uid)
    assert int(after[unmoved]["SEQUENCE"]) == int(before[unmoved]["SEQUENCE"])


def test_the_events_feed_lists_upcoming_published_events_by_kind(app, client):
    with app.app_context():
        create_event(slug="trip", kind="field_trip", title="A trip", timezone="Atlantic/Reykjavik")
        create_event(slug="conf", kind="conference", title="A conference")
        create_event(slug="draft", title="Draft", status="draft", published_at=None)
        create_event(slug="gone", title="Past", starts_at=datetime(2020, 1, 1, tzinfo=UTC))
        db.session.commit()
    everything = client.get("/events/calendar.ics").get_data(as_text=True)
    assert sorted(str(e["SUMMARY"]) for e in vevents(everything)) == ["A conference", "A trip"]
    assert sorted(e["summary"] for e in parse_with_icaljs(everything)["events"]) == [
        "A conference",
        "A trip",
    ]
    trips = client.get("/events/calendar.ics?kind=field_trip").get_data(as_text=True)
    assert [str(e["SUMMARY"]) for e in vevents(trips)] == ["A trip"]
    conferences = client.get("/events/calendar.ics?kind=conference").get_data(as_text=True)
    assert [str(e["SUMMARY"]) for e in vevents(conferences)] == ["A conference"]
    bad = client.get("/events/calendar.ics?kind=party")
    assert bad.status_code == 400
    assert "kind must be one of" in bad.get_data(as_text=True)
