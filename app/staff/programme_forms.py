"""The programme editor's forms: a session, copying a day. Checks that need the event (its
days, seats booked) live in app/staff/services/programme.py."""

from datetime import date

from wtforms import (
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.models import SESSION_KINDS, SessionStatus
from app.staff.forms import StaffForm, local_datetime_field, options, strip


class SessionForm(StaffForm):
    title = StringField(
        "Title",
        validators=[DataRequired(message="Enter a title."), Length(max=200)],
        filters=[strip],
    )
    kind = SelectField("Kind", choices=options(SESSION_KINDS.items()))
    starts_at = local_datetime_field("Start", required=True)
    ends_at = local_datetime_field("End", required=True)
    room = StringField(
        "Room or place",
        validators=[Length(max=200)],
        filters=[strip],
        description="Optional, e.g. “Hall A” or “Turbine hall”.",
    )
    description = TextAreaField("Description (Markdown)", render_kw={"rows": 6})
    speaker_ids = SelectMultipleField(
        "Speakers",
        coerce=int,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validate_choice=True,
    )
    capacity = IntegerField(
        "Seats of its own",
        validators=[
            Optional(),
            NumberRange(min=0, max=1_000_000, message="Enter a number from 0 to 1,000,000."),
        ],
        description="For a workshop with limited places; empty means anyone at the event.",
    )
    status = SelectField(
        "Status", choices=options((status, status.capitalize()) for status in SessionStatus)
    )
    save = SubmitField("Save session")
    preview = SubmitField("Preview")

    def validate_ends_at(self, field):
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError("The end must be after the start.")


def parse_day(value):
    return date.fromisoformat(value) if value else None


class CopyDayForm(StaffForm):
    from_day = SelectField("Copy the sessions of", coerce=parse_day, validate_choice=False)
    to_day = SelectField("to", coerce=parse_day, validate_choice=False)
    copy = SubmitField("Copy the day")

    def set_days(self, days: list[date]) -> None:
        pairs = [(day.isoformat(), f"{day:%a} {day.day} {day:%B %Y}") for day in days]
        self.from_day.choices = options(pairs)
        self.to_day.choices = options(pairs)
