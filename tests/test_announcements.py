"""Announcements to people who asked for news, and the RFC 8058 one-click unsubscribe."""

import re
from datetime import timedelta

from sqlalchemy import select, update

from app.db import utcnow
from app.extensions import db
from app.models import MarketingChoice, OutboxMessage, Registration
from app.outbox.delivery import deliver_pending
from app.privacy.consent import set_marketing_choice
from app.privacy.retention import purge_outbox
from app.staff.services.announcements import send
from tests.support.database import make_app
from tests.support.factories import create_event
from tests.support.forms import form_token
from tests.support.staff import create_registration, signed_in_client


def audience(app):
    """Ada opted in on two registrations, Bob opted in, Cy said no, Dee withdrew later."""
    with app.app_context():
        first, second = create_event(slug="first"), create_event(slug="second")
        for event in (first, second):
            create_registration(event, name="Ada", email="ada@example.com")
        create_registration(first, name="Bob", email="bob@example.com")
        create_registration(first, name="Cy", email="cy@example.com")
        create_registration(first, name="Dee", email="dee@example.com")
        for address in ("ada@example.com", "bob@example.com", "dee@example.com"):
            set_marketing_choice(address, True, "sign-up")
        set_marketing_choice("cy@example.com", False, "sign-up")
        set_marketing_choice("dee@example.com", False, "manage page")
        db.session.commit()
        return second.id


def announcements(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "announcement").order_by("id")
        ).all()
        db.session.expunge_all()
        return rows


def announce(app, event_id=None, subject="Iceland 2027 is open"):
    with app.app_context():
        send(event_id, subject, "Seats for the **data-centre** trip.")
        db.session.commit()


def test_only_people_who_said_yes_get_it_once_each(app):
    event_id = audience(app)
    announce(app, event_id)
    rows = announcements(app)
    assert sorted(row.to_address for row in rows) == ["ada@example.com", "bob@example.com"]
    ada = rows[0]
    assert ada.body_text.startswith("Hello Ada,")
    assert "/unsubscribe/" in ada.body_text and "Unsubscribe</a>" in ada.body_html
    assert ada.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/events/second" in ada.body_text


def test_both_headers_arrive_and_one_click_stops_the_next_one(database_url, smtp_server):
    app = make_app(database_url, **smtp_server.settings)
    audience(app)
    announce(app)
    with app.app_context():
        deliver_pending()
    mails = smtp_server.wait_for(2)
    ada = next(mail for mail in mails if "ada@example.com" in str(mail["To"]))
    # As it was on the wire, unfolded: a mailbox provider reads it without decoding anything
    # (RFC 2369 has no encoded words; policy.SMTP once wrote the long URL as `=?utf-8?q?…`).
    raw = dict(ada.raw_items())
    header = "".join(raw["List-Unsubscribe"].splitlines()).strip()
    assert ada["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(r"<(https?://[^>]+)>", header).group(1)
    assert url.startswith("http://northlight.test/unsubscribe/")
    assert url in ada.get_body(("plain",)).get_content()  # and visible in the email
    path = url.removeprefix("http://northlight.test")
    client = app.test_client()
    # A link scanner's GET changes nothing.
    page = client.get(path)
    assert page.status_code == 200 and "Unsubscribe" in page.text
    with app.app_context():
        assert db.session.get(MarketingChoice, "ada@example.com").opted_in
    # The mailbox provider's one-click POST: no CSRF token, no cookie.
    response = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "You are unsubscribed" in response.text
    with app.app_context():
        choice = db.session.get(MarketingChoice, "ada@example.com")
        assert not choice.opted_in and choice.source == "unsubscribe link"
        assert choice.changed_at is not None
        # Every registration of hers shows it, as the export does (marketing_opt_in false).
        flags = db.session.scalars(
            select(Registration.marketing_opt_in).where(
                Registration.email_normalized == "ada@example.com"
            )
        ).all()
        assert flags == [False, False]
    smtp_server.clear()
    announce(app, subject="Second news")
    with app.app_context():
        deliver_pending()
        db.engine.dispose()
    assert [str(mail["To"]) for mail in smtp_server.wait_for(1, timeout=3)] == ["bob@example.com"]


def test_transactional_mail_goes_whatever_the_choice_and_has_no_unsubscribe(app):
    audience(app)
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage)).all()
        assert all(not row.headers for row in rows)


def test_the_unsubscribe_page_button_works_and_bad_tokens_are_404(app):
    audience(app)
    announce(app)
    path = re.search(r"/unsubscribe/\S+", announcements(app)[1].body_text).group(0)
    client = app.test_client()
    page = client.get(path)
    assert 'name="List-Unsubscribe" value="One-Click"' in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert client.post(path, data={}).status_code == 400  # not the one-click form
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert "nothing to unsubscribe" in client.get(path).text
    assert client.get(path[:-3] + "xyz").status_code == 404
    assert (
        client.post("/unsubscribe/forged", data={"List-Unsubscribe": "One-Click"}).status_code
        == 404
    )


def test_large_lists_are_paced_by_mail_rate_per_minute(app):
    audience(app)
    app.config["MAIL_RATE_PER_MINUTE"] = 30
    announce(app)
    first, second = announcements(app)
    assert second.next_attempt_at - first.next_attempt_at == timedelta(seconds=2)


def test_marketing_writes_previews_and_sends_through_the_page(app):
    event_id = audience(app)
    staff, _ = signed_in_client(app, "staff")
    assert staff.get("/staff/announcements").status_code == 403
    marketing, _ = signed_in_client(app, "marketing")
    url = "/staff/announcements"
    data = {
        "event_id": str(event_id),
        "subject": "Iceland 2027",
        "body": "Come along.",
        "csrf_token": form_token(marketing, url),
    }
    preview = marketing.post(url, data={**data, "preview": "Preview"})
    assert preview.status_code == 200
    assert "2 people get this announcement." in preview.text
    assert announcements(app) == []
    refused = marketing.post(url, data={**data, "body": "<b>hi</b>", "send": "Send"})
    assert refused.status_code == 422 and "The message contains HTML" in refused.text
    assert announcements(app) == []
    sent = marketing.post(url, data={**data, "send": "Send"})
    assert sent.status_code == 302
    page = marketing.get(url).text
    assert "Queued “Iceland 2027” for 2 people." in page
    assert "<td>2</td>\n      <td>0</td>\n      <td>2</td>" in page  # people, sent, waiting


def test_nobody_opted_in_means_nothing_to_send(app):
    with app.app_context():
        create_registration(create_event(), email="no@example.com")
        db.session.commit()
    marketing, _ = signed_in_client(app, "marketing")
    url = "/staff/announcements"
    response = marketing.post(
        url,
        data={"event_id": "0", "subject": "News", "body": "Hi", "send": "Send",
              "csrf_token": form_token(marketing, url)},
    )  # fmt: skip
    assert response.status_code == 422
    assert "Nobody has asked for news yet" in response.text


def test_the_purge_clears_an_announcements_unsubscribe_header_with_its_body(app):
    audience(app)
    announce(app)
    with app.app_context():
        db.session.execute(
            update(OutboxMessage).values(status="sent", sent_at=utcnow() - timedelta(days=400))
        )
        db.session.commit()
        purge_outbox(utcnow(), 90, dry_run=False)
        db.session.commit()
    for row in announcements(app):
        assert (row.to_address, row.body_text, row.headers) == ("", "", None)
