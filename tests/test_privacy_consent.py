"""Marketing consent is the person's latest answer, shown on every registration they hold."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import MarketingChoice, Registration
from app.privacy.consent import marketing_audience, set_marketing_choice
from tests.support.factories import make_event
from tests.support.forms import register
from tests.support.settings import FORM_SETTINGS


@pytest.fixture
def app_settings():
    return dict(FORM_SETTINGS)


def registrations_by_event(app) -> dict[str, bool]:
    with app.app_context():
        rows = db.session.scalars(select(Registration).order_by(Registration.id)).all()
        return {row.event.slug: row.marketing_opt_in for row in rows}


def test_the_latest_sign_up_answer_applies_to_every_registration_of_the_person(app, client):
    first, second = make_event(app), make_event(app)
    register(client, first, email="Ada@Example.com", marketing_opt_in="y")
    assert registrations_by_event(app) == {first: True}
    register(client, second, email="ada@example.com")  # box left unticked this time
    assert registrations_by_event(app) == {first: False, second: False}
    with app.app_context():
        choice = db.session.get(MarketingChoice, "ada@example.com")
        assert (choice.opted_in, choice.source) == (False, "sign-up")
        assert db.session.scalars(marketing_audience()).all() == []


def test_a_withdrawal_or_a_new_yes_changes_all_rows_and_the_audience(app, client):
    first, second = make_event(app), make_event(app)
    register(client, first, email="bo@example.com", marketing_opt_in="y")
    register(client, second, email="bo@example.com", marketing_opt_in="y")
    register(client, second, email="cy@example.com", marketing_opt_in="y")
    with app.app_context():
        assert sorted(db.session.scalars(marketing_audience())) == [
            "bo@example.com",
            "cy@example.com",
        ]
        set_marketing_choice("bo@example.com", False, "manage page")
        db.session.commit()
        choice = db.session.get(MarketingChoice, "bo@example.com")
        assert (choice.opted_in, choice.source) == (False, "manage page")
        assert db.session.scalars(marketing_audience()).all() == ["cy@example.com"]
        rows = db.session.scalars(
            select(Registration).where(Registration.email_normalized == "bo@example.com")
        ).all()
        assert [(r.marketing_opt_in, r.marketing_opt_in_at) for r in rows] == [(False, None)] * 2
