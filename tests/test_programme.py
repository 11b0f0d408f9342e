"""The programme: the staff session editor's rules, the public programme across a DST change,
speaker pages, the event page's next sessions, JSON-LD sub-events and the sitemap."""

import json
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import ProgrammeSession
from tests.support.factories import create_article, create_author, create_event, create_session
from tests.support.forms import form_token
from tests.support.staff import signed_in_client

# Berlin's clocks go forward in the night of 27 to 28 March 2032 (CET -> CEST).
DST_EVE = datetime(2032, 3, 27, 8, 0, tzinfo=UTC)  # 09:00 CET


def dst_event(**overrides):
    """A two-day conference in Berlin across the spring clock change, 09:00-18:00 local."""
    return create_event(
        slug=overrides.pop("slug", "spring-summit"),
        starts_at=DST_EVE,
        ends_at=datetime(2032, 3, 28, 16, 0, tzinfo=UTC),  # 18:00 CEST
        **overrides,
    )


def session_data(**overrides) -> dict:
    data = {
        "title": "Opening keynote",
        "kind": "keynote",
        "starts_at": "2032-03-27T10:00",
        "ends_at": "2032-03-27T11:00",
        "room": "Main hall",
        "description": "Why *this* matters.",
        "capacity": "",
        "status": "scheduled",
        "save": "Save session",
    }
    data.update(overrides)
    return data


def post_session(client, slug: str, **overrides):
    url = f"/staff/events/{slug}/sessions"
    return client.post(
        url, data={**session_data(**overrides), "csrf_token": form_token(client, url)}
    )


def test_marketing_adds_a_session_in_the_events_zone(app):
    with app.app_context():
        dst_event()
        speaker = create_author(name="Ada Lovelace", slug="ada", role="Analyst")
        db.session.commit()
        speaker_id = speaker.id
    client, _ = signed_in_client(app, "marketing")
    response = post_session(client, "spring-summit", speaker_ids=str(speaker_id))
    assert response.status_code == 302
    with app.app_context():
        session = db.session.scalar(select(ProgrammeSession))
        # 10:00 in Berlin on 27 March (still CET, UTC+1) is 09:00 UTC.
        assert session.starts_at == datetime(2032, 3, 27, 9, 0, tzinfo=UTC)
        assert [s.name for s in session.speakers] == ["Ada Lovelace"]
    page = client.get("/staff/events/spring-summit/sessions").get_data(as_text=True)
    assert "Opening keynote" in page and "Ada Lovelace" in page


def test_sessions_outside_the_events_days_or_ending_first_are_refused(app):
    with app.app_context():
        dst_event()
        db.session.commit()
    client, _ = signed_in_client(app, "marketing")
    before = post_session(
        client, "spring-summit", starts_at="2032-03-26T10:00", ends_at="2032-03-26T11:00"
    )
    assert before.status_code == 200
    assert "A session must lie within the event&#39;s days (27 March 2032 to 28 March 2032" in (
        before.get_data(as_text=True)
    )
    backwards = post_session(
        client, "spring-summit", starts_at="2032-03-27T12:00", ends_at="2032-03-27T11:00"
    )
    assert backwards.status_code == 200
    assert "The end must be after the start." in backwards.get_data(as_text=True)
    gap = post_session(
        client, "spring-summit", starts_at="2032-03-28T02:30", ends_at="2032-03-28T03:30"
    )
    assert gap.status_code == 200
    assert "02:30 does not exist on 28 March 2032 in Europe/Berlin" in gap.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(ProgrammeSession)) is None  # nothing half-saved


def test_staff_without_marketing_role_cannot_edit_sessions(app):
    with app.app_context():
        dst_event()
        db.session.commit()
    client, _ = signed_in_client(app, "staff")
    assert client.get("/staff/events/spring-summit/sessions").status_code == 403


def test_copy_a_day_keeps_local_times_across_the_clock_change(app):
    with app.app_context():
        event = dst_event()
        create_session(event, title="Morning coffee", starts_at=DST_EVE)  # 09:00 CET
        db.session.commit()
    client, _ = signed_in_client(app, "marketing")
    url = "/staff/events/spring-summit/sessions"
    token = form_token(client, url)
    response = client.post(
        f"{url}/copy-day",
        data={"from_day": "2032-03-27", "to_day": "2032-03-28", "csrf_token": token},
    )
    assert response.status_code == 302
    with app.app_context():
        starts = db.session.scalars(
            select(ProgrammeSession.starts_at).order_by(ProgrammeSession.starts_at)
        ).all()
    # 09:00 both days: 08:00 UTC in winter time, 07:00 UTC in summer time.
    assert starts == [DST_EVE, datetime(2032, 3, 28, 7, 0, tzinfo=UTC)]


def test_removing_an_unchosen_session_deletes_it(app):
    with app.app_context():
        event = dst_event()
        session_id = create_session(event, starts_at=DST_EVE).id
        db.session.commit()
    client, _ = signed_in_client(app, "marketing")
    token = form_token(client, "/staff/events/spring-summit/sessions")
    response = client.post(
        f"/staff/events/spring-summit/sessions/{session_id}/remove", data={"csrf_token": token}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(ProgrammeSession, session_id) is None


def programme_times(html: str) -> list[str]:
    return re.findall(r'class="session-time"><time datetime="([^"]+)">(\d\d:\d\d)', html)


def test_the_programme_shows_local_times_across_a_dst_change(app, client):
    with app.app_context():
        event = dst_event()
        speaker = create_author(name="Grace Hopper", slug="grace", organisation="Navy")
        create_session(event, title="Day one opening", starts_at=DST_EVE, speakers=[speaker])
        create_session(
            event, title="Day two opening", starts_at=datetime(2032, 3, 28, 7, 0, tzinfo=UTC)
        )
        db.session.commit()
    html = client.get("/events/spring-summit/programme").get_data(as_text=True)
    assert programme_times(html) == [
        ("2032-03-27T09:00:00+01:00", "09:00"),
        ("2032-03-28T09:00:00+02:00", "09:00"),
    ]
    assert "Saturday 27 March 2032" in html and "Sunday 28 March 2032" in html
    assert "times in Europe/Berlin, CET" in html and "times in Europe/Berlin, CEST" in html
    assert 'href="/speakers/grace">Grace Hopper</a> (Navy)' in html
    assert "Hall A" in html


def event_json_ld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def test_event_json_ld_lists_the_sessions_as_sub_events_and_speakers_as_performers(app, client):
    with app.app_context():
        event = dst_event()
        speaker = create_author(name="Grace Hopper", slug="grace", role="Admiral")
        create_session(event, title="Compilers", starts_at=DST_EVE, speakers=[speaker])
        create_session(
            event,
            title="Closing",
            starts_at=datetime(2032, 3, 28, 14, 0, tzinfo=UTC),
            status="cancelled",
        )
        db.session.commit()
    data = event_json_ld(client.get("/events/spring-summit").get_data(as_text=True))
    subs = data["subEvent"]
    assert [(s["name"], s["startDate"], s["endDate"]) for s in subs] == [
        ("Compilers", "2032-03-27T09:00:00+01:00", "2032-03-27T10:00:00+01:00"),
        ("Closing", "2032-03-28T16:00:00+02:00", "2032-03-28T17:00:00+02:00"),
    ]
    assert all(s["@type"] == "Event" for s in subs)
    assert subs[1]["eventStatus"] == "https://schema.org/EventCancelled"
    assert subs[0]["performer"][0]["name"] == "Grace Hopper"
    assert data["performer"] == [
        {
            "@type": "Person",
            "name": "Grace Hopper",
            "url": "http://northlight.test/speakers/grace",
            "jobTitle": "Admiral",
        }
    ]
    assert data["@type"] == "Event" and data["startDate"] == "2032-03-27T09:00:00+01:00"


def test_the_event_page_shows_the_next_sessions_and_links_the_programme(app, client):
    with app.app_context():
        event = create_event(slug="soon")
        for hour in range(5):
            create_session(event, title=f"Slot {hour}", hours_in=hour)
        db.session.commit()
    html = client.get("/events/soon").get_data(as_text=True)
    coming_up = html[html.index('id="next-sessions"') : html.index("</section>")]
    assert "Slot 0" in coming_up and "Slot 2" in coming_up and "Slot 3" not in coming_up
    assert 'href="/events/soon/programme"' in html
    assert "webcal://northlight.test/events/soon/programme.ics" in html


def test_speaker_pages_list_sessions_upcoming_first_and_articles(app, client):
    with app.app_context():
        speaker = create_author(
            name="Hedy Lamarr", slug="hedy", role="Inventor", links="https://example.org/hedy"
        )
        past_event = create_event(slug="old", starts_at=datetime(2020, 5, 1, 8, 0, tzinfo=UTC))
        later = create_event(slug="later", starts_at=datetime.now(UTC) + timedelta(days=60))
        sooner = create_event(slug="sooner", starts_at=datetime.now(UTC) + timedelta(days=10))
        create_session(past_event, title="Old talk", speakers=[speaker])
        create_session(later, title="Later talk", speakers=[speaker])
        create_session(sooner, title="Sooner talk", speakers=[speaker])
        create_article(title="Frequency hopping explained", author=speaker)
        db.session.commit()
    page = client.get("/speakers/hedy")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.index("Sooner talk") < html.index("Later talk") < html.index("Old talk")
    assert "Upcoming sessions" in html and "Past sessions" in html
    assert "Frequency hopping explained" in html
    assert "Inventor" in html and 'href="https://example.org/hedy"' in html
    index = client.get("/speakers/").get_data(as_text=True)
    assert 'href="/speakers/hedy">Hedy Lamarr</a>' in index
    # The same person keeps their author page, which points to the speaker page.
    author = client.get("/authors/hedy").get_data(as_text=True)
    assert 'href="/speakers/hedy"' in author
    assert client.get("/speakers/nobody").status_code == 404


def test_the_sitemap_lists_programmes_and_speakers(app, client):
    with app.app_context():
        event = create_event(slug="mapped")
        create_session(event, speakers=[create_author(slug="spoke")])
        create_event(slug="no-programme")
        db.session.commit()
    xml = client.get("/sitemap.xml").get_data(as_text=True)
    assert "<loc>http://northlight.test/events/mapped/programme</loc>" in xml
    assert "/events/no-programme/programme" not in xml
    assert "<loc>http://northlight.test/speakers/spoke</loc>" in xml
    assert "<loc>http://northlight.test/speakers/</loc>" in xml


def test_sessions_of_a_draft_event_are_not_public(app, client):
    with app.app_context():
        event = create_event(slug="secret", status="draft", published_at=None)
        create_session(event, speakers=[create_author(slug="hidden-speaker")])
        db.session.commit()
    assert client.get("/events/secret/programme").status_code == 404
    assert client.get("/events/secret/programme.ics").status_code == 404
    assert client.get("/speakers/hidden-speaker").status_code == 404


def test_a_speaker_profile_is_edited_on_the_author_record(app, client):
    with app.app_context():
        author = create_author(name="Katherine Johnson", slug="katherine")
        create_session(create_event(slug="orbit"), speakers=[author])
        db.session.commit()
    staff, _ = signed_in_client(app, "marketing")
    url = "/staff/authors/katherine/edit"
    data = {
        "name": "Katherine Johnson",
        "slug": "katherine",
        "bio": "Computed trajectories.",
        "social_handle": "",
        "role": "Mathematician",
        "organisation": "NASA",
        "links": "https://example.org/kj",
        "save": "Save",
    }
    bad = staff.post(
        url, data={**data, "links": "javascript:alert(1)", "csrf_token": form_token(staff, url)}
    )
    assert "Give one http(s) address per line." in bad.get_data(as_text=True)
    saved = staff.post(url, data={**data, "csrf_token": form_token(staff, url)})
    assert saved.status_code == 302
    html = client.get("/speakers/katherine").get_data(as_text=True)
    assert "Mathematician, NASA" in html and 'href="https://example.org/kj"' in html
