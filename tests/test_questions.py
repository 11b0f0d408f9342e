"""Questions per event (issue 13): staff set them up, visitors answer them on the sign-up
form, answers are checked, stored, exported, emailed (not the sensitive ones) and purged."""

import csv
import io
import re
from dataclasses import dataclass
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import func, select, update

from app.db import utcnow
from app.extensions import db
from app.models import Answer, AuditEntry, Event, OutboxMessage, Question, Registration
from tests.support.database import make_app
from tests.support.factories import create_event
from tests.support.forms import csrf_token_from, register, submit
from tests.support.questions import create_question, every_kind, field
from tests.support.settings import FORM_SETTINGS
from tests.support.staff import signed_in_client


@pytest.fixture
def app_settings():
    return dict(FORM_SETTINGS)


@dataclass(frozen=True)
class Asked:
    """What a test needs of a question once its session is gone."""

    id: int
    label: str


def good_answers(q: dict) -> dict:
    return {
        field(q["short_text"]): "Ada King",
        field(q["long_text"]): "The cooling plant.\nAnd the GPUs.",
        field(q["choice_radio"]): "Lamb",
        field(q["choice_select"]): "M",
        field(q["multi"]): ["Power", "GPUs"],
        field(q["yes_no"]): "no",
        field(q["date"]): "1990-04-23",
        field(q["number"]): "12",
        field(q["country"]): "IS",
    }


@pytest.fixture
def trip(app):
    """A field trip asking one question of every kind; (slug, {kind: question id})."""
    with app.app_context():
        event = create_event(kind="field_trip", slug="dc-trip", title="Data Centre Trip")
        questions = every_kind(event)
        db.session.commit()
        return event.slug, {kind: Asked(q.id, q.label) for kind, q in questions.items()}


def stored(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Registration)),
            db.session.scalar(select(func.count()).select_from(Answer)),
        )


def test_the_form_asks_every_question_with_labels_and_groups(app, client, trip):
    slug, q = trip
    html = client.get(f"/events/{slug}/register").get_data(as_text=True)
    for question in q.values():
        assert question.label.replace("?", "") in html
    # Options are groups with a legend; every input has a label.
    assert "<legend>Dinner menu" in html
    assert "<legend>Topics" in html
    assert "<legend>Will you drive?" in html
    assert f'<label for="{field(q["short_text"])}">Name on your photo ID' in html
    assert f'id="{field(q["date"])}"' in html and 'type="date"' in html
    assert ">Iceland</option>" in html
    # After the fixed fields.
    assert html.index('name="accessibility"') < html.index(field(q["short_text"]))


def test_good_answers_are_stored_and_emailed_except_sensitive_ones(app, client, trip):
    slug, q = trip
    register(client, slug, dietary="", **good_answers(q))
    with app.app_context():
        answers = {a.question_id: a.value for a in db.session.scalars(select(Answer)).all()}
        assert answers[q["multi"].id] == "GPUs\nPower"  # in the options' order
        assert answers[q["country"].id] == "Iceland"
        assert answers[q["yes_no"].id] == "no"
        mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "confirmation"))
    assert "Dinner menu: Lamb" in mail.body_text
    assert "Topics: GPUs, Power" in mail.body_text
    assert "Years in HPC: 12" in mail.body_text
    assert "Ada King" not in mail.body_text and "Ada King" not in mail.body_html
    assert "Iceland" not in mail.body_text
    assert "Lamb" in mail.body_html


def test_each_received_email_shows_its_own_answers_when_the_worker_sends_a_batch(
    app, database_url, trip, smtp_server
):
    """The worker reads a claimed batch's answers at once: two people in one batch each get
    their own, the sensitive ones in neither."""
    slug, q = trip
    mail_app = make_app(database_url, **FORM_SETTINGS, **smtp_server.settings)
    try:
        people = {"ada@example.com": ("Lamb", "Ada King"), "bob@example.com": ("Fish", "Bob Stone")}
        for email, (menu, id_name) in people.items():
            client = mail_app.test_client()
            answers = {
                **good_answers(q),
                field(q["choice_radio"]): menu,
                field(q["short_text"]): id_name,
            }
            assert submit(client, slug, email=email, **answers).status_code == 303
        result = mail_app.test_cli_runner().invoke(args=["outbox", "deliver"])
        assert "2 sent" in result.output, result.output
        smtp_server.wait_for(2)
        for email, (menu, id_name) in people.items():
            (mail,) = smtp_server.to(email)
            text = mail.get_body(("plain",)).get_content()
            other_menu = next(m for address, (m, _) in people.items() if address != email)
            assert f"Dinner menu: {menu}" in text and f"Dinner menu: {other_menu}" not in text
            assert "Topics: GPUs, Power" in text
            assert id_name not in text and "Iceland" not in text  # sensitive: never emailed
    finally:
        with mail_app.app_context():
            db.engine.dispose()  # its own connections (PostgreSQL)


@pytest.mark.parametrize(
    "kind, value, message",
    [
        ("short_text", "", "Please answer this question."),
        ("short_text", "bad\x07bell", "invisible control character"),
        ("short_text", "x" * 501, "Please keep this to 500 characters"),
        ("choice_radio", "Caviar", "Choose one of the options listed."),
        ("choice_radio", None, "Choose an answer."),
        ("choice_select", "XXL", "Choose one of the options listed."),
        ("multi", ["GPUs", "Snacks"], "Choose from the options listed."),
        ("multi", None, "Choose at least one option."),
        ("yes_no", "maybe", "Choose yes or no."),
        ("date", "2023-02-30", "Enter a real date"),
        ("date", "tomorrow", "Enter a real date"),
        ("number", "twelve", "Enter a number"),
        ("number", "1e12", "Enter a number between"),
        ("number", "NaN", "Enter a number between"),
        ("country", "XX", "Choose a country from the list."),
    ],
)
def test_a_bad_answer_shows_the_form_again_and_stores_nothing(
    app, client, trip, kind, value, message
):
    slug, q = trip
    answers = good_answers(q)
    answers[field(q[kind])] = value
    response = submit(client, slug, **answers)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    # The message sits next to its field, and the summary links to it.
    assert f'id="{field(q[kind])}-error"' in html
    assert f'href="#{field(q[kind])}"' in html
    # What was typed comes back.
    assert "The cooling plant." in html
    if kind != "choice_radio":
        assert re.search(r'<input checked [^>]*value="Lamb"', html)
    assert stored(app) == (0, 0)


def test_hostile_text_is_kept_as_text_and_neutralised_in_exports(app, client, trip):
    slug, q = trip
    answers = good_answers(q)
    answers[field(q["long_text"])] = '=HYPERLINK("http://evil","x") <script>alert(1)</script>'
    register(client, slug, **answers)
    staff, _ = signed_in_client(app, "staff")
    body = staff.get(f"/staff/events/{slug}/attendees.csv").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    column = rows[0].index("What do you hope to see?")
    assert rows[1][column] == '\'=HYPERLINK("http://evil","x") <script>alert(1)</script>'


def test_exports_have_one_column_per_question_after_the_consent_columns(app, client, trip):
    slug, q = trip
    register(client, slug, **good_answers(q))
    register(client, slug, email="bob@example.com", **good_answers(q))
    staff, _ = signed_in_client(app, "staff")
    body = staff.get(f"/staff/events/{slug}/attendees.csv").get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    header = next(csv.reader(io.StringIO(body)))
    labels = [question.label for question in q.values()]
    start = header.index("marketing_consent_version") + 1
    assert header[start : start + len(labels)] == labels
    assert rows[0]["Topics"] == "GPUs; Power"
    assert rows[0]["Nationality"] == "Iceland"
    assert rows[0]["Date of birth"] == "1990-04-23"
    assert rows[0]["updated_at"]

    response = staff.get(f"/staff/events/{slug}/attendees.xlsx")
    body = response.get_data()
    response.close()
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0][start : start + len(labels)]) == labels
    assert values[1][header.index("Dinner menu")] == "Lamb"
    assert values[1][header.index("Name on your photo ID")] == "Ada King"


def test_retired_and_edited_questions_keep_their_answers(app, client, trip):
    slug, q = trip
    token = register(client, slug, **good_answers(q))
    marketing, _ = signed_in_client(app, "marketing")
    page = marketing.get(f"/staff/events/{slug}/questions")
    csrf = csrf_token_from(page.get_data(as_text=True))
    url = f"/staff/events/{slug}/questions/{q['choice_radio'].id}"
    response = marketing.post(f"{url}/retire", data={"csrf_token": csrf})
    assert response.status_code == 302
    # Editing the menu choices of another question leaves the answer "M" as it was.
    edit = {
        "csrf_token": csrf,
        "label": "Shirt size (unisex)",
        "kind": "choice_select",
        "choices": "Small\nMedium\nLarge",
    }
    response = marketing.post(f"/staff/events/{slug}/questions/{q['choice_select'].id}", data=edit)
    assert response.status_code == 302

    form = client.get(f"/events/{slug}/register").get_data(as_text=True)
    assert "Dinner menu" not in form
    assert "Shirt size (unisex)" in form
    staff, _ = signed_in_client(app, "staff")
    body = staff.get(f"/staff/events/{slug}/attendees.csv").get_data().decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(body)))
    assert row["Dinner menu"] == "Lamb"
    assert row["Shirt size (unisex)"] == "M"
    manage = client.get(f"/registrations/{token}").get_data(as_text=True)
    assert "Dinner menu" in manage and "Lamb" in manage
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "question.retire" in actions and "question.update" in actions


def test_staff_add_and_reorder_questions_through_the_page(app):
    with app.app_context():
        slug = create_event(slug="conf").slug
        db.session.commit()
    marketing, _ = signed_in_client(app, "marketing")
    url = f"/staff/events/{slug}/questions"
    csrf = csrf_token_from(marketing.get(url).get_data(as_text=True))
    base = {"csrf_token": csrf, "help": "", "choices": ""}
    assert marketing.post(url, data={**base, "label": "First", "kind": "short_text"}).status_code
    marketing.post(url, data={**base, "label": "Second", "kind": "yes_no", "required": "y"})
    menu = {**base, "label": "Menu", "kind": "choice_radio", "choices": "A"}
    bad = marketing.post(url, data=menu)
    assert bad.status_code == 200  # the editor again, as every staff editor answers
    assert "Nothing was saved" in bad.get_data(as_text=True)
    assert "Give at least two choices" in bad.get_data(as_text=True)
    unknown = marketing.post(url, data={**base, "label": "X", "kind": "essay"})
    assert "Choose a kind from the list." in unknown.get_data(as_text=True)
    empty = marketing.post(url, data={**base, "label": "", "kind": "short_text"})
    assert "Enter the question." in empty.get_data(as_text=True)
    with app.app_context():
        second = db.session.scalar(select(Question).where(Question.label == "Second"))
        assert db.session.scalar(select(func.count()).select_from(Question)) == 2
    marketing.post(f"{url}/{second.id}/up", data={"csrf_token": csrf})
    # The public form asks them in the new order.
    html = marketing.get(f"/events/{slug}/register").get_data(as_text=True)
    assert html.index("Second") < html.index("First")

    # Staff see the questions but cannot change them.
    staff, _ = signed_in_client(app, "staff")
    assert staff.get(url).status_code == 200
    assert "Add a question" not in staff.get(url).get_data(as_text=True)
    token = csrf_token_from(staff.get(f"/staff/events/{slug}/attendees").get_data(as_text=True))
    refused = staff.post(url, data={**base, "csrf_token": token, "label": "X", "kind": "date"})
    assert refused.status_code == 403
    assert staff.post(f"{url}/{second.id}/retire", data={"csrf_token": token}).status_code == 403


def test_staff_only_questions_stay_off_the_public_form(app, client):
    with app.app_context():
        event = create_event(slug="conf")
        create_question(event, "Badge printed", "yes_no", staff_only=True, required=True)
        db.session.commit()
    html = client.get("/events/conf/register").get_data(as_text=True)
    assert "Badge printed" not in html
    register(client, "conf")  # a required staff-only question does not stop a sign-up


def purge_after(app, runner, slug: str, days: int) -> None:
    with app.app_context():
        ends_at = utcnow() - timedelta(days=days)
        db.session.execute(
            update(Event)
            .where(Event.slug == slug)
            .values(starts_at=ends_at - timedelta(hours=8), ends_at=ends_at)
        )
        db.session.commit()
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output


def answer_labels(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(Answer.label)))


def test_purge_clears_sensitive_answers_at_40_days_and_all_at_400(app, client, runner, trip):
    slug, q = trip
    register(client, slug, **good_answers(q))
    purge_after(app, runner, slug, 40)
    left = answer_labels(app)
    assert "Name on your photo ID" not in left and "Nationality" not in left
    assert {"Dinner menu", "Topics", "Years in HPC"} <= left
    purge_after(app, runner, slug, 400)
    assert answer_labels(app) == set()


def test_erase_removes_answers_and_data_json_lists_them(app, client, trip):
    slug, q = trip
    token = register(client, slug, **good_answers(q))
    data = client.get(f"/registrations/{token}/data.json").get_json()
    answers = {a["question"]: a["answer"] for a in data["answers"]}
    assert answers["Nationality"] == "Iceland"
    assert answers["Topics"] == "GPUs\nPower"
    page = client.get(f"/registrations/{token}/erase")
    csrf = csrf_token_from(page.get_data(as_text=True))
    erased = client.post(f"/registrations/{token}/erase", data={"csrf_token": csrf})
    assert erased.status_code == 303
    assert answer_labels(app) == set()


def test_the_attendee_list_shows_answers_and_sensitive_ones_only_to_marketing(app, client, trip):
    slug, q = trip
    register(client, slug, **good_answers(q))
    staff, _ = signed_in_client(app, "staff")
    listing = staff.get(f"/staff/events/{slug}/attendees").get_data(as_text=True)
    assert "Dinner menu: Lamb" in listing and "Topics: GPUs, Power" in listing
    assert "Ada King" not in listing and "Iceland" not in listing
    marketing, _ = signed_in_client(app, "marketing")
    listing = marketing.get(f"/staff/events/{slug}/attendees").get_data(as_text=True)
    assert "Name on your photo ID: Ada King" in listing and "Nationality: Iceland" in listing


def test_staff_fill_in_staff_only_questions(app, client):
    with app.app_context():
        event = create_event(slug="conf")
        badge = create_question(event, "Badge printed", "yes_no", staff_only=True)
        db.session.commit()
        badge_field = field(badge)
    register(client, "conf")
    with app.app_context():
        registration_id = db.session.scalar(select(Registration.id))
    staff, _ = signed_in_client(app, "staff")
    url = f"/staff/events/conf/attendees/{registration_id}/answers"
    page = staff.get(url).get_data(as_text=True)
    assert "<legend>Badge printed</legend>" in page
    csrf = csrf_token_from(page)
    bad = staff.post(url, data={"csrf_token": csrf, badge_field: "perhaps"})
    assert bad.status_code == 200 and "Choose yes or no." in bad.get_data(as_text=True)
    saved = staff.post(url, data={"csrf_token": csrf, badge_field: "yes"})
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Answer.value)) == "yes"
        actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "registration.staff_answers" in actions
    body = staff.get("/staff/events/conf/attendees.csv").get_data().decode("utf-8-sig")
    assert next(csv.DictReader(io.StringIO(body)))["Badge printed"] == "yes"
