"""The registration form: field names are public (DESIGN.md), plus two quiet anti-bot checks."""

import time

from flask import current_app, session
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature, URLSafeSerializer
from wtforms import BooleanField, EmailField, HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, ValidationError

from app.addresses import normalize_email
from app.models import Event, EventKind, Question
from app.models.questions import event_questions
from app.privacy.versions import CONSENT_LABEL, MARKETING_HINT, MARKETING_LABEL
from app.registration.answers import field_name
from app.registration.question_fields import with_questions
from app.registration.validation import MAX_LENGTHS, clean_text

STAMP_SALT = "northlight.registration.form-rendered"
RESUBMIT = "Please check your details and send the form again."


class Text:
    """Trim, then check presence, length and control characters; the field keeps the clean text."""

    def __init__(self, required_message: str | None = None) -> None:
        self.required_message = required_message
        self.field_flags = {"required": True} if required_message else {}

    def __call__(self, form, field) -> None:
        try:
            field.data = clean_text(field.name, field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from error
        if self.required_message and not field.data:
            raise ValidationError(self.required_message)


def valid_email(form, field) -> None:
    if not (field.data or "").strip():
        raise ValidationError("Enter your email address, so we can send your confirmation.")
    try:
        field.data, form.email_normalized = normalize_email(field.data)
    except ValueError as error:
        raise ValidationError(str(error)) from error


class RegistrationForm(FlaskForm):
    name = StringField("Full name", [Text("Enter your full name.")])
    email = EmailField(
        "Email address",
        [valid_email],
        description="We send your confirmation here.",
        render_kw={"required": True},
    )
    company = StringField("Company or organisation", [Text()])
    job_title = StringField("Job title", [Text()])
    dietary = TextAreaField(
        "Dietary requirements",
        [Text()],
        description="For the dinner: allergies, vegetarian, vegan, anything we should know.",
    )
    accessibility = TextAreaField(
        "Accessibility needs",
        [Text()],
        description="Anything that helps you take part: step-free access, a seat near the "
        "front, a sign-language interpreter.",
    )
    consent = BooleanField(
        CONSENT_LABEL,
        [DataRequired("Please agree to the privacy notice: we cannot register you without it.")],
    )
    # The wording is versioned (app/privacy/versions.py): registrations record what they saw.
    marketing_opt_in = BooleanField(MARKETING_LABEL, description=MARKETING_HINT)
    # Anti-bot: people never see this field (see .honeypot); simple bots fill every input.
    website = StringField("Leave this field empty")
    # Anti-bot: when the form was rendered, signed, so a submit seconds later is spotted.
    rendered = HiddenField()

    email_normalized: str = ""
    # The event's public questions (issue 13); their fields are added by registration_form.
    questions: list[Question] = []

    def __init__(self, event: Event, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        self.answer_values: dict[int, str] = {}
        if event.kind != EventKind.FIELD_TRIP:
            del self.dietary
        for name, limit in MAX_LENGTHS.items():
            if name in self:
                self[name].render_kw = {**(self[name].render_kw or {}), "maxlength": limit}

    def prepare_for_display(self) -> "RegistrationForm":
        """A fresh render stamp and an empty honeypot, whether shown first or again."""
        self.rendered.data = stamp(self.event.id)
        self.website.data = ""
        return self

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if (self.website.data or "").strip():
            self.form_errors.append(f"We could not accept the form as it was sent. {RESUBMIT}")
            return False
        age = seconds_since_rendered(self.rendered.data, self.event.id)
        if age is None or age > current_app.config["REGISTRATION_FORM_MAX_AGE_SECONDS"]:
            self.form_errors.append(f"This form has expired or was changed. {RESUBMIT}")
            return False
        if age < current_app.config.get("REGISTRATION_MIN_FILL_SECONDS", 2):
            self.form_errors.append(f"That was quicker than people usually type. {RESUBMIT}")
            return False
        return valid

    def registration_data(self) -> dict:
        """What the service needs, cleaned: see app.registration.service.register."""
        # Dietary notes are asked only on field trips.
        data = {name: self[name].data if name in self else "" for name in MAX_LENGTHS}
        data["consent"] = bool(self.consent.data)
        data["marketing_opt_in"] = bool(self.marketing_opt_in.data)
        data["answers"] = {field_name(q): self[field_name(q)].data for q in self.questions}
        data["questions"] = self.questions  # already read for the form: not again per sign-up
        return data

    @property
    def question_fields(self) -> list:
        """(question, its field) for each question, in the form's order."""
        return [(question, self[field_name(question)]) for question in self.questions]


def with_event_questions(base: type[FlaskForm], event: Event, *args, **kwargs):
    """An instance of `base` (fixed fields) followed by the event's public questions."""
    questions = event_questions(event, public_only=True)
    form_class = with_questions(base, questions, f"Event{base.__name__}") if questions else base
    form = form_class(event, *args, **kwargs)
    form.questions = questions
    return form


def registration_form(event: Event, *args, **kwargs) -> RegistrationForm:
    """The sign-up form for `event`: the fixed fields, then the event's public questions."""
    return with_event_questions(RegistrationForm, event, *args, **kwargs)


class DetailsForm(FlaskForm):
    """The attendee's own edit of their details (not the address) and answers."""

    name = StringField("Full name", [Text("Enter your full name.")])
    company = StringField("Company or organisation", [Text()])
    job_title = StringField("Job title", [Text()])
    dietary = TextAreaField("Dietary requirements", [Text()])
    accessibility = TextAreaField("Accessibility needs", [Text()])
    questions: list[Question] = []

    def __init__(self, event: Event, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.answer_values: dict[int, str] = {}
        if event.kind != EventKind.FIELD_TRIP:
            del self.dietary
        for name, limit in MAX_LENGTHS.items():
            if name in self:
                self[name].render_kw = {**(self[name].render_kw or {}), "maxlength": limit}

    def details(self) -> dict:
        """What app.registration.changes.change_details needs."""
        data = {name: self[name].data for name in MAX_LENGTHS if name in self and name != "email"}
        data["answers"] = {field_name(q): self[field_name(q)].data for q in self.questions}
        return data

    question_fields = RegistrationForm.question_fields


def details_form(event: Event, *args, **kwargs) -> DetailsForm:
    """The edit form for a registration of `event`, with the event's public questions."""
    return with_event_questions(DetailsForm, event, *args, **kwargs)


class CancelForm(FlaskForm):
    """The confirmation step before cancelling: a POST with its CSRF token, nothing else."""


# --- privacy (issue 11): the attendee's own erase and marketing choice ---


class EraseForm(FlaskForm):
    """The confirmation step before "Delete my data": a POST with its CSRF token."""


class MarketingForm(FlaskForm):
    """Give or withdraw consent to news about future events: "yes" or "no"."""

    marketing_opt_in = HiddenField(validators=[AnyOf(("yes", "no"))])


def now() -> float:
    """The clock stamps are made and checked with (tests move it)."""
    return time.time()


def session_secret() -> str:
    """This visitor's CSRF secret, kept in their session: a stamp is good for that session only.

    Flask-WTF keeps the raw secret in the signed session cookie and never shows it in a page,
    so a stamp copied from one visitor's form cannot be replayed from another session.
    """
    key = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if key not in session:
        generate_csrf()
    return session[key]


def stamp_serializer() -> URLSafeSerializer:
    """Signs stamps for the current visitor's session (call inside a request)."""
    return stamp_serializer_for(current_app.config["SECRET_KEY"], session_secret())


def stamp_serializer_for(secret_key: str, csrf_secret: str) -> URLSafeSerializer:
    """Signs stamps for the session whose CSRF secret is `csrf_secret` (no request needed:
    the page cache's form copy makes a new session's stamp before Flask runs)."""
    return URLSafeSerializer(secret_key, salt=f"{STAMP_SALT}.{csrf_secret}")


def stamp(event_id: int, serializer: URLSafeSerializer | None = None) -> str:
    """A signed stamp of now for `event_id`, by default for the current visitor's session."""
    return (serializer or stamp_serializer()).dumps([event_id, now()])


def seconds_since_rendered(token: str | None, event_id: int) -> float | None:
    """Seconds since the form was rendered for this event in this session; None if the stamp
    is not ours, or was made for another event or another session."""
    try:
        stamped_event, rendered_at = stamp_serializer().loads(token or "")
        if stamped_event != event_id:
            return None
        return now() - float(rendered_at)
    except (BadSignature, TypeError, ValueError):
        return None
