"""The editors, used as marketing staff use them: real forms, CSRF on, then the public site."""

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from sqlalchemy import func, select

from app.db import utcnow
from app.extensions import db
from app.models import Article, AuditEntry, Author, Event, OutboxMessage, SlugRedirect, Tag
from app.registration.calendar import registration_uid
from tests.support.factories import create_article, create_author, create_event, create_tag
from tests.support.forms import form_token
from tests.support.outbox import compose_outbox
from tests.support.staff import create_registration, signed_in_client


@pytest.fixture
def marketing(app):
    client, _ = signed_in_client(app, "marketing")
    return client


@pytest.fixture
def author_id(app):
    with app.app_context():
        author = create_author(name="Ingrid Solvang", slug="ingrid")
        create_tag("HPC")
        db.session.commit()
        return author.id


def article_data(author: int, **overrides) -> dict:
    data = {
        "title": "Cooling a Supercomputer",
        "slug": "",
        "summary": "How warm water keeps the racks cool.",
        "body": "Warm **water** is enough.",
        "author_id": str(author),
        "status": "published",
        "published_at": "",
        "timezone": "UTC",
        "save": "Save",
    }
    data.update(overrides)
    return data


def post_form(client, url: str, data: dict):
    return client.post(url, data={**data, "csrf_token": form_token(client, url)})


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_article_created_through_the_form_appears_on_the_site(app, marketing, author_id):
    with app.app_context():
        hpc = db.session.scalar(select(Tag).where(Tag.slug == "hpc"))
        tag_id = hpc.id
    data = article_data(author_id, tag_ids=[str(tag_id)])
    response = post_form(marketing, "/staff/articles/new", data)
    assert response.status_code == 302
    # Left empty, the slug was made from the title.
    assert response.headers["Location"] == "/staff/articles/cooling-a-supercomputer/edit"
    page = marketing.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved “Cooling a Supercomputer”." in page

    public = app.test_client().get("/blog/cooling-a-supercomputer")
    assert public.status_code == 200
    html = public.get_data(as_text=True)
    assert "Warm <strong>water</strong> is enough." in html
    assert "Ingrid Solvang" in html
    assert "/blog/tags/hpc" in html
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "article.create"))
        assert entry.changes["title"] == {"before": None, "after": "Cooling a Supercomputer"}


def test_preview_shows_the_sanitised_result_and_saves_nothing(app, marketing, author_id):
    body = "# Heading\n\n**bold** <script>alert(1)</script> [x](javascript:alert(2))"
    data = article_data(author_id, body=body, save=None, preview="Preview")
    data.pop("save")
    response = post_form(marketing, "/staff/articles/new", data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    preview = html[html.index('class="prose preview-body"') :]
    preview = preview[: preview.index("</section>")]
    assert "<h2>Heading</h2>" in preview
    assert "<strong>bold</strong>" in preview
    # Raw HTML is shown as text, and a javascript: link is no link at all.
    assert "&lt;script&gt;" in preview and "<script" not in preview
    assert 'href="javascript' not in preview
    # The suggested slug is filled in for the author to see, and nothing was stored.
    assert 'value="cooling-a-supercomputer"' in html
    assert count(app, Article) == 0


def test_scheduled_article_stays_hidden_until_its_time(app, marketing, author_id):
    later = (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = post_form(
        marketing, "/staff/articles/new", article_data(author_id, published_at=later)
    )
    assert response.status_code == 302
    assert app.test_client().get("/blog/cooling-a-supercomputer").status_code == 404
    listing = marketing.get("/staff/articles/").get_data(as_text=True)
    assert "published (scheduled)" in listing


def test_publication_time_is_read_in_the_chosen_zone(app, marketing, author_id):
    data = article_data(author_id, published_at="2026-01-15T09:30", timezone="Europe/Oslo")
    assert post_form(marketing, "/staff/articles/new", data).status_code == 302
    with app.app_context():
        article = db.session.scalar(select(Article))
        assert article.published_at == datetime(2026, 1, 15, 8, 30, tzinfo=UTC)


def test_renaming_a_published_article_keeps_the_old_url_working(app, marketing, author_id):
    with app.app_context():
        create_article(slug="old-name", title="Old name", author=db.session.get(Author, author_id))
        db.session.commit()
    url = "/staff/articles/old-name/edit"
    data = article_data(author_id, title="Old name", slug="new-name")
    assert post_form(marketing, url, data).headers["Location"] == "/staff/articles/new-name/edit"

    visitor = app.test_client()
    response = visitor.get("/blog/old-name")
    assert response.status_code == 301
    assert response.headers["Location"] == "/blog/new-name"
    assert visitor.get("/blog/new-name").status_code == 200

    # Renamed back: the old name is the page again, and the other name now redirects.
    data["slug"] = "old-name"
    post_form(marketing, "/staff/articles/new-name/edit", data)
    assert visitor.get("/blog/old-name").status_code == 200
    assert visitor.get("/blog/new-name").headers["Location"] == "/blog/old-name"
    with app.app_context():
        olds = db.session.scalars(select(SlugRedirect.old_slug)).all()
        assert olds == ["new-name"]


def test_renaming_a_draft_leaves_no_redirect(app, marketing, author_id):
    with app.app_context():
        author = db.session.get(Author, author_id)
        create_article(slug="draft-one", status="draft", published_at=None, author=author)
        db.session.commit()
    data = article_data(author_id, slug="draft-two", status="draft")
    assert post_form(marketing, "/staff/articles/draft-one/edit", data).status_code == 302
    assert count(app, SlugRedirect) == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"slug": "taken"}, "The slug “taken” is already used by another article."),
        ({"slug": "Not A Slug"}, "Use lower-case letters, digits and single hyphens only."),
        ({"title": ""}, "Enter a title."),
        ({"author_id": "9999"}, "Not a valid choice"),
        ({"published_at": "next tuesday"}, "Not a valid datetime value"),
    ],
)
def test_bad_article_input_shows_the_form_again_and_saves_nothing(
    app, marketing, author_id, overrides, message
):
    with app.app_context():
        create_article(slug="taken", author=db.session.get(Author, author_id))
        db.session.commit()
    response = post_form(marketing, "/staff/articles/new", article_data(author_id, **overrides))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Nothing was saved" in html
    assert message in html
    assert count(app, Article) == 1
    assert count(app, AuditEntry) == 0


# --- events -------------------------------------------------------------------------------


def event_data(**overrides) -> dict:
    data = {
        "title": "Ascent Summit",
        "slug": "",
        "kind": "conference",
        "summary": "Two days on AI compute.",
        "description": "Talks and *tours*.",
        "what_to_bring": "",
        "timezone": "Europe/Berlin",
        "starts_at": "2031-03-10T09:00",
        "ends_at": "2031-03-10T17:30",
        "venue": "Hall 1",
        "address": "Messedamm 22",
        "city": "Berlin",
        "country": "Germany",
        "capacity": "40",
        "waitlist_enabled": "y",
        "registration_opens_at": "",
        "registration_closes_at": "2031-03-08T12:00",
        "status": "published",
        "published_at": "",
        "save": "Save",
    }
    data.update(overrides)
    return data


def test_event_created_through_the_form_uses_its_own_time_zone(app, marketing):
    response = post_form(marketing, "/staff/events/new", event_data())
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/events/ascent-summit/edit"
    with app.app_context():
        event = db.session.scalar(select(Event))
        assert event.starts_at == datetime(2031, 3, 10, 8, 0, tzinfo=UTC)
        assert event.ends_at == datetime(2031, 3, 10, 16, 30, tzinfo=UTC)
        assert event.registration_closes_at == datetime(2031, 3, 8, 11, 0, tzinfo=UTC)
        assert event.capacity == 40 and event.waitlist_enabled
    page = app.test_client().get("/events/ascent-summit").get_data(as_text=True)
    assert "Talks and <em>tours</em>." in page
    assert '"startDate": "2031-03-10T09:00:00+01:00"' in page
    # The editor shows the same local times back.
    form = marketing.get("/staff/events/ascent-summit/edit").get_data(as_text=True)
    assert 'value="2031-03-10T09:00"' in form


def test_empty_capacity_means_unlimited(app, marketing):
    post_form(marketing, "/staff/events/new", event_data(capacity="", waitlist_enabled=None))
    with app.app_context():
        event = db.session.scalar(select(Event))
        assert event.capacity is None and not event.waitlist_enabled


def test_event_errors_are_all_shown_and_nothing_is_saved(app, marketing):
    with app.app_context():
        event = create_event(slug="busy", capacity=5)
        for _ in range(3):
            create_registration(event)
        create_event(slug="taken")
        db.session.commit()
        before = db.session.get(Event, event.id).title
    data = event_data(title="Changed title", slug="taken", capacity="2", ends_at="2031-03-10T08:00")
    response = post_form(marketing, "/staff/events/busy/edit", data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "The end must be after the start." in html
    # The form's own checks run first; the database checks follow once those pass.
    data["ends_at"] = "2031-03-10T18:00"
    html = post_form(marketing, "/staff/events/busy/edit", data).get_data(as_text=True)
    assert "3 seats are already taken: the capacity cannot be lower" in html
    assert "The slug “taken” is already used by another event." in html
    with app.app_context():
        assert db.session.scalar(select(Event.title).where(Event.slug == "busy")) == before
    assert count(app, AuditEntry) == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"starts_at": "0001-01-01T00:00"}, "Enter a date between the years 2000 and 2199."),
        ({"capacity": "99999999999"}, "Enter a number from 0 to 1,000,000."),
        ({"capacity": "-1"}, "Enter a number from 0 to 1,000,000."),
        ({"capacity": "lots"}, "Not a valid integer value."),
        ({"timezone": "Mars/Olympus"}, "Choose a time zone from the list."),
        ({"kind": "party"}, "Not a valid choice"),
    ],
)
def test_out_of_range_event_input_is_refused(app, marketing, overrides, message):
    html = post_form(marketing, "/staff/events/new", event_data(**overrides)).get_data(as_text=True)
    assert message in html
    assert count(app, Event) == 0


def test_a_time_the_clocks_skip_is_refused(app, marketing):
    data = event_data(starts_at="2031-03-30T02:30", ends_at="2031-03-30T10:00")
    html = post_form(marketing, "/staff/events/new", data).get_data(as_text=True)
    assert "02:30 does not exist on 30 March 2031 in Europe/Berlin" in html
    assert count(app, Event) == 0


def test_registration_window_must_close_after_it_opens(app, marketing):
    data = event_data(
        registration_opens_at="2031-03-01T10:00", registration_closes_at="2031-02-01T10:00"
    )
    html = post_form(marketing, "/staff/events/new", data).get_data(as_text=True)
    assert "Registration must close after it opens." in html


def test_renaming_a_published_event_redirects_the_old_url(app, marketing):
    post_form(marketing, "/staff/events/new", event_data(slug="summit-2031"))
    post_form(marketing, "/staff/events/summit-2031/edit", event_data(slug="ascent-2031"))
    response = app.test_client().get("/events/summit-2031")
    assert response.status_code == 301
    assert response.headers["Location"] == "/events/ascent-2031"


def outbox_messages(app, kind: str) -> list[OutboxMessage]:
    compose_outbox(app)
    with app.app_context():
        rows = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        ).all()
        db.session.expunge_all()
        return rows


def vevent_of(message: OutboxMessage):
    calendar = icalendar.Calendar.from_ical(message.ics)
    return calendar, calendar.walk("VEVENT")[0]


def test_new_time_sends_every_attendee_an_update_with_a_higher_sequence(app, marketing):
    post_form(marketing, "/staff/events/new", event_data(slug="moving"))
    with app.app_context():
        event = db.session.scalar(select(Event))
        confirmed = create_registration(event, email="ada@example.com")
        waiting = create_registration(event, "waitlisted", email="bo@example.com")
        create_registration(event, "cancelled", email="cy@example.com")
        db.session.commit()
        uids = {registration_uid(confirmed), registration_uid(waiting)}
        sequence_before = event.sequence

    # A new summary alone moves nothing in anyone's calendar.
    post_form(marketing, "/staff/events/moving/edit", event_data(slug="moving", summary="New."))
    assert outbox_messages(app, "event_updated") == []

    data = event_data(slug="moving", starts_at="2031-03-11T09:00", ends_at="2031-03-11T17:30")
    data["notify_note"] = "We moved to Tuesday."
    assert post_form(marketing, "/staff/events/moving/edit", data).status_code == 302
    messages = outbox_messages(app, "event_updated")
    assert sorted(m.to_address for m in messages) == ["ada@example.com", "bo@example.com"]
    for message in messages:
        calendar, vevent = vevent_of(message)
        assert str(calendar["METHOD"]) == "REQUEST"
        assert int(vevent["SEQUENCE"]) == sequence_before + 1
        assert str(vevent["UID"]) in uids
        assert vevent.decoded("DTSTART") == datetime(2031, 3, 11, 8, 0, tzinfo=UTC)
        assert "We moved to Tuesday." in message.body_text


def test_new_venue_also_sends_updates(app, marketing):
    post_form(marketing, "/staff/events/new", event_data(slug="venue"))
    with app.app_context():
        create_registration(db.session.scalar(select(Event)))
        db.session.commit()
    post_form(marketing, "/staff/events/venue/edit", event_data(slug="venue", venue="Hall 2"))
    (message,) = outbox_messages(app, "event_updated")
    _, vevent = vevent_of(message)
    assert int(vevent["SEQUENCE"]) == 1
    assert "Hall 2" in str(vevent["LOCATION"])


def test_cancelling_an_event_tells_everyone_with_method_cancel(app, marketing):
    post_form(marketing, "/staff/events/new", event_data(slug="doomed"))
    with app.app_context():
        event = db.session.scalar(select(Event))
        create_registration(event, email="ada@example.com")
        create_registration(event, "waitlisted", email="bo@example.com")
        db.session.commit()
    data = event_data(slug="doomed", status="cancelled", starts_at="2031-03-12T09:00")
    data["ends_at"] = "2031-03-12T17:00"
    post_form(marketing, "/staff/events/doomed/edit", data)
    assert outbox_messages(app, "event_updated") == []
    messages = outbox_messages(app, "event_cancelled")
    assert sorted(m.to_address for m in messages) == ["ada@example.com", "bo@example.com"]
    for message in messages:
        calendar, vevent = vevent_of(message)
        assert str(calendar["METHOD"]) == "CANCEL"
        assert int(vevent["SEQUENCE"]) == 1
    page = app.test_client().get("/events/doomed").get_data(as_text=True)
    assert "This event has been cancelled." in page


def test_cancelling_an_event_also_answers_those_still_waiting_for_a_decision(app, marketing):
    """Their acknowledgement said the answer comes by email: a cancellation is that answer."""
    post_form(marketing, "/staff/events/new", event_data(slug="doomed"))
    with app.app_context():
        event = db.session.scalar(select(Event))
        create_registration(event, "pending", email="cy@example.com")
        create_registration(event, "declined", email="dee@example.com")
        db.session.commit()
    data = event_data(slug="doomed", status="cancelled", starts_at="2031-03-12T09:00")
    data["ends_at"] = "2031-03-12T17:00"
    post_form(marketing, "/staff/events/doomed/edit", data)
    (message,) = outbox_messages(app, "event_cancelled")
    assert message.to_address == "cy@example.com"
    assert "Your application ends with it" in message.body_text
    assert "cancel.ics" not in message.body_text


def test_event_audit_entry_holds_before_and_after(app, marketing):
    post_form(marketing, "/staff/events/new", event_data(slug="audited"))
    post_form(marketing, "/staff/events/audited/edit", event_data(slug="audited", city="Potsdam"))
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "event.update"))
        assert entry.changes["city"] == {"before": "Berlin", "after": "Potsdam"}
        assert entry.changes["sequence"] == {"before": 0, "after": 1}
        assert entry.user.role == "marketing"


# --- authors and tags ---------------------------------------------------------------------


def test_authors_and_tags_are_created_edited_and_checked(app, marketing):
    data = {"name": "Zoë Ångström", "slug": "", "bio": "Writes.", "social_handle": ""}
    response = post_form(marketing, "/staff/authors/new", data)
    assert response.headers["Location"] == "/staff/authors/"
    with app.app_context():
        assert db.session.scalar(select(Author.slug)) == "zoe-angstrom"
    response = post_form(marketing, "/staff/authors/zoe-angstrom/edit", {**data, "bio": "Edits."})
    assert response.status_code == 302

    assert (
        post_form(marketing, "/staff/tags/new", {"name": "Exascale", "slug": ""}).status_code == 302
    )
    html = post_form(marketing, "/staff/tags/new", {"name": "Exascale", "slug": "exa"}).get_data(
        as_text=True
    )
    assert "There is already a tag named “Exascale”." in html
    html = post_form(marketing, "/staff/tags/new", {"name": "Exa", "slug": "exascale"}).get_data(
        as_text=True
    )
    assert "The slug “exascale” is already used by another tag." in html
    assert count(app, Tag) == 1


def test_article_needs_an_author_chosen(app, marketing, author_id):
    html = marketing.get("/staff/articles/new").get_data(as_text=True)
    assert '<option selected value="">Choose an author</option>' in html
    response = post_form(marketing, "/staff/articles/new", article_data(author_id, author_id=""))
    assert "Choose an author." in response.get_data(as_text=True)
    assert "Not a valid choice" not in response.get_data(as_text=True)
    assert count(app, Article) == 0


def test_nul_characters_are_dropped_not_a_database_error(app, marketing, author_id):
    data = article_data(author_id, title="Nul\x00 title", body="Body\x00 text")
    assert post_form(marketing, "/staff/articles/new", data).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Article.title)) == "Nul title"
    assert marketing.get("/staff/events/").status_code == 200
