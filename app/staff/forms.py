"""The staff forms. Checks that need the database (slug taken, seats taken) live in the services."""

from functools import cache
from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from app.content import SLUG_PATTERN
from app.media.editor_fields import NewImageFields
from app.media.library import media_options
from app.models import ARTICLE_STATUSES, EVENT_KINDS, EVENT_STATUSES
from app.registration.reminders import parse_reminder_days

COMMON_TIMEZONES = (
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Amsterdam",
    "Europe/Zurich",
    "Europe/Stockholm",
    "Europe/Oslo",
    "Europe/Helsinki",
    "Atlantic/Reykjavik",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Asia/Singapore",
    "Australia/Sydney",
)
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
SLUG_HINT = "Lower-case letters, digits and single hyphens; left empty, it is made from the title."


@cache
def all_timezones() -> tuple[str, ...]:
    """Every IANA zone people pick from, without the legacy and POSIX aliases."""
    skip = ("Etc/", "posix", "right/", "SystemV/", "US/", "Canada/", "Mexico/", "Brazil/", "Chile/")
    names = {name for name in available_timezones() if "/" in name and not name.startswith(skip)}
    return tuple(sorted(names | {"UTC"}))


def options(pairs, optgroup: str | None = None) -> list[SelectChoice]:
    """<option>s from (value, label) pairs."""
    return [SelectChoice(value, label, optgroup=optgroup) for value, label in pairs]


def timezone_choices(current: str | None = None) -> list[SelectChoice]:
    """Choices for a zone <select>: the common ones first, then all the others (optgroups)."""
    others = [name for name in all_timezones() if name not in COMMON_TIMEZONES]
    if current and current not in COMMON_TIMEZONES and current not in others:
        others.append(current)
    common = options(((name, name.replace("_", " ")) for name in COMMON_TIMEZONES), "Common")
    rest = options(((name, name.replace("_", " ")) for name in others), "All time zones")
    return common + rest


def slug_field(label: str = "Slug") -> StringField:
    return StringField(
        label,
        validators=[
            Optional(),
            Length(max=200),
            Regexp(SLUG_PATTERN, message="Use lower-case letters, digits and single hyphens only."),
        ],
        description=SLUG_HINT,
        filters=[lambda value: value.strip() if value else value],
    )


def plausible_year(form, field) -> None:
    # Far-off years are typing slips, and near year 1 the zone conversion itself overflows.
    if field.data is not None and not 2000 <= field.data.year <= 2199:
        raise ValidationError("Enter a date between the years 2000 and 2199.")


def local_datetime_field(label: str, required: bool = False, hint: str = "") -> DateTimeLocalField:
    first = InputRequired(message=f"Enter the {label.lower()}.") if required else Optional()
    return DateTimeLocalField(
        label,
        validators=[first, plausible_year],
        format=DATETIME_FORMATS,
        description=hint,
        render_kw={"step": 60},
    )


def image_field(label: str) -> SelectField:
    """A picker of media library ids (issue 12); its choices are set by the view."""
    return SelectField(
        label,
        coerce=optional_int,
        description="Choose from the media library, or upload a new one below.",
    )


def image_choices() -> list[SelectChoice]:
    """ "No image", then every library image, for an image picker."""
    return options([("", "No image"), *media_options()])


def optional_int(value) -> int | None:
    """A select's value as a number; the empty "Choose..." option as None."""
    return int(value) if value not in (None, "") else None


def strip(value):
    return value.strip() if isinstance(value, str) else value


def drop_nul(value):
    # PostgreSQL text cannot hold NUL; a pasted one would otherwise end in a database error.
    return value.replace("\x00", "") if isinstance(value, str) else value


def web_addresses(form, field) -> None:
    """Each non-empty line is one http(s) address (the public page links them)."""
    for line in (field.data or "").splitlines():
        line = line.strip()
        if line and not (line.startswith(("https://", "http://")) and len(line.split()) == 1):
            raise ValidationError("Give one http(s) address per line.")


class StaffForm(FlaskForm):
    """Every staff form: NUL characters are dropped from whatever is typed."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = [*unbound_field.kwargs.get("filters", []), drop_nul]
            return unbound_field.bind(form=form, filters=filters, **options)


class EmptyForm(StaffForm):
    """A form with only the CSRF token, for POST buttons."""


class LoginForm(StaffForm):
    email = EmailField(
        "Email", validators=[DataRequired(message="Enter your email address.")], filters=[strip]
    )
    password = PasswordField("Password", validators=[DataRequired(message="Enter your password.")])
    submit = SubmitField("Sign in")


class ContentForm(StaffForm):
    """What articles and events share: a title, a slug, a Markdown text and a preview button."""

    title = StringField(
        "Title",
        validators=[DataRequired(message="Enter a title."), Length(max=200)],
        filters=[strip],
    )
    slug = slug_field()
    summary = TextAreaField(
        "Summary",
        validators=[Length(max=300)],
        description="One or two sentences for lists, search engines and link previews.",
        filters=[strip],
        render_kw={"rows": 2},
    )
    save = SubmitField("Save")
    preview = SubmitField("Preview")


class ArticleForm(NewImageFields, ContentForm):
    body = TextAreaField(
        "Text (Markdown)", description="Headings, lists, links, tables.", render_kw={"rows": 16}
    )
    author_id = SelectField(
        "Author",
        coerce=optional_int,
        validators=[InputRequired(message="Choose an author.")],
    )
    tag_ids = SelectMultipleField(
        "Tags",
        coerce=int,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validate_choice=True,
    )
    image = image_field("Cover image")
    status = SelectField("Status", choices=options((s, s.capitalize()) for s in ARTICLE_STATUSES))
    timezone = SelectField(
        "Time zone of the publication time", default="UTC", validate_choice=False
    )
    published_at = local_datetime_field(
        "Publication time",
        hint="Empty means now, when published. A time in the future schedules the article.",
    )

    def validate_timezone(self, field):
        if field.data not in all_timezones():
            raise ValidationError("Choose a time zone from the list.")


class EventForm(NewImageFields, ContentForm):
    kind = SelectField("Kind", choices=options(EVENT_KINDS.items()))
    description = TextAreaField("Description (Markdown)", render_kw={"rows": 12})
    image = image_field("Cover image")
    what_to_bring = TextAreaField("What to bring", filters=[strip], render_kw={"rows": 3})
    timezone = SelectField(
        "Time zone",
        default="Europe/Berlin",
        validate_choice=False,
        description="All times on this form are local times in this zone.",
    )
    starts_at = local_datetime_field("Start", required=True)
    ends_at = local_datetime_field("End", required=True)
    venue = StringField("Venue", validators=[Length(max=200)], filters=[strip])
    address = StringField("Street address", validators=[Length(max=300)], filters=[strip])
    city = StringField("City", validators=[Length(max=120)], filters=[strip])
    country = StringField("Country", validators=[Length(max=120)], filters=[strip])
    capacity = IntegerField(
        "Capacity",
        validators=[
            Optional(),
            NumberRange(min=0, max=1_000_000, message="Enter a number from 0 to 1,000,000."),
        ],
        description="Number of seats; empty means unlimited.",
    )
    waitlist_enabled = BooleanField("Keep a waiting list when the event is full")
    reminder_days = StringField(
        "Reminders (days before start)",
        default="7, 1",
        filters=[strip],
        validators=[Length(max=60)],
        description="Whole days, separated by commas; empty sends no reminders.",
    )
    remind_waitlisted = BooleanField("Send people on the waiting list a short note too")
    approval_required = BooleanField(
        "Registrations need approval",
        description="Sign-ups become applications; staff approve or decline each one.",
    )
    registration_opens_at = local_datetime_field(
        "Registration opens", hint="Empty means as soon as the event is published."
    )
    registration_closes_at = local_datetime_field(
        "Registration closes", hint="Empty means when the event starts."
    )
    changes_close_at = local_datetime_field(
        "Attendees' changes close",
        hint="Until then attendees can edit their details and answers. Empty means when "
        "registration closes.",
    )
    status = SelectField("Status", choices=options((s, s.capitalize()) for s in EVENT_STATUSES))
    published_at = local_datetime_field(
        "Publication time",
        hint="Empty means now, when published. A time in the future schedules the event page.",
    )

    notify_note = TextAreaField(
        "Note for attendees",
        filters=[strip],
        validators=[Length(max=2000)],
        description="Optional. Added to the update or cancellation email, when saving sends one.",
        render_kw={"rows": 3},
    )

    def validate_timezone(self, field):
        if field.data not in all_timezones() and field.data != self.timezone.object_data:
            raise ValidationError("Choose a time zone from the list.")

    def validate_reminder_days(self, field):
        try:
            parse_reminder_days(field.data or "")
        except ValueError as error:
            raise ValidationError(str(error)) from error

    def validate_ends_at(self, field):
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError("The end must be after the start.")

    def validate_registration_closes_at(self, field):
        opens = self.registration_opens_at.data
        if field.data and opens and field.data <= opens:
            raise ValidationError("Registration must close after it opens.")


class DecisionForm(StaffForm):
    """Approve or decline several applications at once (issue 13)."""

    registration_ids = SelectMultipleField(
        "Applications", coerce=int, validate_choice=False,
        validators=[DataRequired(message="Tick at least one application first.")],
    )  # fmt: skip
    decision = HiddenField(validators=[AnyOf(("approve", "decline"))])
    note = TextAreaField(
        "Note for the people declined",
        filters=[strip],
        validators=[Length(max=2000)],
        description="Optional. Added to the decline email.",
        render_kw={"rows": 2},
    )


class AuthorForm(NewImageFields, StaffForm):
    name = StringField(
        "Name", validators=[DataRequired(message="Enter a name."), Length(max=120)], filters=[strip]
    )
    slug = slug_field()
    bio = TextAreaField("Short biography", filters=[strip], render_kw={"rows": 4})
    social_handle = StringField(
        "Social handle", validators=[Length(max=80)], filters=[strip], description="Optional."
    )
    # The speaker profile (issue 15): one record per person, whether they write or speak.
    role = StringField(
        "Role", validators=[Length(max=120)], filters=[strip], description="Optional, e.g. CTO."
    )
    organisation = StringField("Organisation", validators=[Length(max=120)], filters=[strip])
    links = TextAreaField(
        "Links",
        filters=[strip],
        validators=[Length(max=2000), web_addresses],
        description="Optional: one http(s) address per line.",
        render_kw={"rows": 3},
    )
    image = image_field("Portrait")
    save = SubmitField("Save")


class TagForm(StaffForm):
    name = StringField(
        "Name", validators=[DataRequired(message="Enter a name."), Length(max=60)], filters=[strip]
    )
    slug = slug_field()
    save = SubmitField("Save")


class ResendForm(StaffForm):
    email = EmailField(
        "Correct address",
        validators=[
            DataRequired(message="Enter the corrected address."),
            Email(message="That email address is not valid."),
            Length(max=254),
        ],
        filters=[strip],
    )
    save = SubmitField("Correct and resend")


def show_errors(form: FlaskForm, errors: dict[str, str]) -> None:
    """Put errors found by a service next to the fields they are about."""
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is None:
            form.form_errors.append(message)
        else:
            field.errors = [*field.errors, message]


def editor_values(form: FlaskForm) -> dict:
    """The submitted values for a service: everything but the buttons and the CSRF token."""
    skip = {"csrf_token", "save", "preview", *NewImageFields.FIELDS}
    return {name: value for name, value in form.data.items() if name not in skip}
