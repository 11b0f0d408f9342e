"""The question editor's form (staff): one question of an event's sign-up form."""

from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from app.models import QUESTION_KINDS, QuestionKind
from app.staff.forms import StaffForm, options, strip

MAX_CHOICES = 100


class QuestionForm(StaffForm):
    label = StringField(
        "Question",
        validators=[DataRequired(message="Enter the question."), Length(max=200)],
        filters=[strip],
        description="As the form shows it, e.g. “Your name as on your photo ID”.",
    )
    kind = SelectField("Kind of answer", choices=options(QUESTION_KINDS.items()))
    choices = TextAreaField(
        "Choices",
        filters=[strip],
        validators=[Length(max=5000)],
        description="For the choice kinds: one option per line.",
        render_kw={"rows": 4},
    )
    help = StringField(
        "Help text", validators=[Length(max=500)], filters=[strip], description="Optional."
    )
    required = BooleanField("An answer is required")
    sensitive = BooleanField(
        "Sensitive: purged soon after the event, never repeated by email",
    )
    staff_only = BooleanField("Staff only: not on the public form, staff fill it in")

    def validate_choices(self, field):
        lines = [line.strip() for line in (field.data or "").splitlines() if line.strip()]
        # An unknown kind has its own message (validate_kind); its choices are not checked.
        if self.kind.data in QUESTION_KINDS and QuestionKind(self.kind.data).has_choices:
            if len(lines) < 2:
                raise ValidationError("Give at least two choices, one per line.")
            if len(lines) > MAX_CHOICES:
                raise ValidationError(f"Give at most {MAX_CHOICES} choices.")
            if any(len(line) > 200 for line in lines):
                raise ValidationError("Keep each choice to 200 characters.")
            if len(set(lines)) != len(lines):
                raise ValidationError("Each choice must be different.")
        field.data = "\n".join(lines)

    def validate_kind(self, field):
        if field.data not in QUESTION_KINDS:
            raise ValidationError("Choose a kind from the list.")
