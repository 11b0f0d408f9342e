"""Whatever is typed into the form: never a server error, never an invalid stored row."""

import unicodedata

import pytest
from email_validator import validate_email
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.extensions import db
from app.models import Registration
from app.registration.validation import MAX_LENGTHS
from tests.support.factories import make_event
from tests.support.forms import open_form
from tests.support.settings import FORM_SETTINGS


@pytest.fixture
def app_settings():
    return dict(FORM_SETTINGS)


# Any text at all (control characters, odd scripts, very long), plus values people type.
any_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=190, max_size=1100),
    st.sampled_from(["", " ", "Ada Lovelace", "\x00", "a\nb", "<script>x</script>", "=1+1"]),
)
emails = st.one_of(
    st.emails(),
    any_text,
    st.sampled_from(["ada@example.com", "ADA@Example.com", "x@y", "@", "a@b.c\x00"]),
)
checkbox = st.sampled_from([None, "y", "", "on", "\x00"])
form_values = st.fixed_dictionaries(
    {
        "name": any_text,
        "email": emails,
        "company": any_text,
        "job_title": any_text,
        "dietary": any_text,
        "accessibility": any_text,
        "consent": checkbox,
        "marketing_opt_in": checkbox,
    },
    optional={"website": any_text, "extra_field": any_text},
)


VALID = {
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "company": "",
    "job_title": "",
    "dietary": "",
    "accessibility": "",
    "consent": "y",
    "marketing_opt_in": None,
}


def no_control_characters(value: str, multiline: bool) -> bool:
    allowed = {"\n", "\t"} if multiline else set()
    return all(unicodedata.category(char) not in ("Cc", "Cs") or char in allowed for char in value)


def assert_valid(registration: Registration) -> None:
    assert registration.name and registration.name == registration.name.strip()
    for field, limit in MAX_LENGTHS.items():
        value = getattr(registration, field)
        assert len(value) <= limit
        assert no_control_characters(value, field in ("dietary", "accessibility"))
    assert "\r" not in registration.dietary + registration.accessibility
    checked = validate_email(registration.email, check_deliverability=False)
    assert checked.normalized.lower() == registration.email_normalized
    assert registration.status in ("confirmed", "waitlisted")
    assert registration.consent_at is not None


def test_no_input_gives_a_server_error_or_stores_an_invalid_row(app):
    slug = make_event(app, kind="field_trip", capacity=5)
    client = app.test_client()
    hidden = open_form(client, slug)

    @settings(
        max_examples=100,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(values=form_values)
    @example(values={**VALID, "name": " Zoë\u200d ", "dietary": "Vegan\r\n\tno nuts"})
    def post_anything(values):
        data = {key: value for key, value in {**values, **hidden}.items() if value is not None}
        response = client.post(f"/events/{slug}/register", data=data)
        assert response.status_code in (303, 422), response.status_code
        if response.status_code == 303:
            assert values["consent"] and not (values.get("website") or "").strip()

    post_anything()
    with app.app_context():
        stored = db.session.scalars(select(Registration)).all()
        assert stored  # at least the explicit example got through
        for registration in stored:
            assert_valid(registration)
