"""Consent you can prove: each registration keeps the version of the words it agreed to."""

import csv
import io
import json

import pytest
from jinja2 import ChoiceLoader, DictLoader

from app import create_app
from app.extensions import db
from app.models import ConsentText
from tests.support.factories import make_event
from tests.support.forms import register
from tests.support.settings import FORM_SETTINGS, TEST_SETTINGS
from tests.support.staff import signed_in_client


@pytest.fixture
def app_settings():
    return dict(FORM_SETTINGS)


def export(app, slug: str) -> dict[str, dict]:
    staff, _ = signed_in_client(app, "staff")
    body = staff.get(f"/staff/events/{slug}/attendees.csv").get_data()
    return {row["email"]: row for row in csv.DictReader(io.StringIO(body.decode("utf-8-sig")))}


def with_new_notice(database_url: str):
    """The same site after the privacy notice's wording changed."""
    changed = create_app(
        {**TEST_SETTINGS, **FORM_SETTINGS, "SQLALCHEMY_DATABASE_URI": database_url}
    )
    changed.jinja_env.loader = ChoiceLoader(
        [
            DictLoader({"site/privacy.html": "We now also keep your shoe size."}),
            changed.jinja_env.loader,
        ]
    )
    return changed


def test_a_changed_notice_is_a_new_version_and_old_registrations_keep_theirs(
    app, client, database_url
):
    slug = make_event(app, title="Open Day")
    ada = register(client, slug, marketing_opt_in="y")
    before = export(app, slug)["ada@example.com"]
    assert len(before["consent_version"]) == 64
    assert len(before["marketing_consent_version"]) == 64

    changed = with_new_notice(database_url)
    other = changed.test_client()
    register(other, slug, name="Bob Babbage", email="bob@example.com")
    rows = export(app, slug)
    assert rows["ada@example.com"]["consent_version"] == before["consent_version"]
    assert rows["bob@example.com"]["consent_version"] not in ("", before["consent_version"])
    assert rows["bob@example.com"]["marketing_consent_version"] == ""  # not ticked

    # The words behind each version are kept, and the attendee's download shows theirs.
    data = json.loads(client.get(f"/registrations/{ada}/data.json").get_data(as_text=True))
    assert data["consent"]["privacy_notice"]["version"] == before["consent_version"]
    assert "shoe size" not in data["consent"]["privacy_notice"]["text"]
    assert "email me now and then" in data["consent"]["marketing"]["text"]
    with changed.app_context():
        bobs = db.session.get(ConsentText, rows["bob@example.com"]["consent_version"])
        assert "shoe size" in bobs.text and bobs.kind == "privacy_notice"
    with changed.app_context():  # after the session above gave its connection back
        db.engine.dispose()


def test_the_consent_columns_follow_the_contract_columns(app, client):
    slug = make_event(app, title="Open Day")
    register(client, slug)
    staff, _ = signed_in_client(app, "staff")
    body = staff.get(f"/staff/events/{slug}/attendees.csv").get_data().decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(body)))
    assert header[13:16] == ["event", "consent_version", "marketing_consent_version"]
