"""WTForms fields for an event's questions, added to a form class made for that event.

Each field checks its answer with the same rule the service applies (answers.clean_answer),
puts the message next to the field, and keeps the cleaned answer in `form.answer_values`.
"""

from wtforms import Field, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.models import Question, QuestionKind
from app.registration.answers import (
    LONG_LIMIT,
    SHORT_LIMIT,
    YES_NO,
    clean_answer,
    countries,
    country_code,
    field_name,
)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CheckAnswer:
    """The field's validator: the service's rule for this question's kind."""

    def __init__(self, question: Question) -> None:
        self.question = question
        # Several checkboxes are never each required: the legend says an answer is.
        required = question.required and question.kind != QuestionKind.MULTI
        self.field_flags = {"required": True} if required else {}

    def __call__(self, form, field) -> None:
        try:
            value = clean_answer(self.question, field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from error
        form.answer_values[self.question.id] = value


def choices_of(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def question_field(question: Question) -> Field:
    """An unbound field asking `question`."""
    kind = question.kind
    options = {
        "label": question.label,
        "validators": [CheckAnswer(question)],
        "description": question.help,
    }
    if kind in (QuestionKind.CHOICE_RADIO, QuestionKind.YES_NO):
        pairs = YES_NO if kind == QuestionKind.YES_NO else [(o, o) for o in question.options]
        return RadioField(choices=choices_of(pairs), validate_choice=False, **options)
    if kind == QuestionKind.CHOICE_SELECT:
        choices = choices_of([("", "Choose…"), *((o, o) for o in question.options)])
        return SelectField(choices=choices, validate_choice=False, **options)
    if kind == QuestionKind.COUNTRY:
        return SelectField(
            choices=choices_of([("", "Choose a country…"), *countries()]),
            validate_choice=False,
            **options,
        )
    if kind == QuestionKind.MULTI:
        choices = choices_of((o, o) for o in question.options)
        return MultiCheckboxField(choices=choices, validate_choice=False, **options)
    if kind == QuestionKind.LONG_TEXT:
        return TextAreaField(render_kw={"maxlength": LONG_LIMIT, "rows": 3}, **options)
    if kind == QuestionKind.DATE:
        return StringField(render_kw={"type": "date"}, **options)
    if kind == QuestionKind.NUMBER:
        return StringField(render_kw={"inputmode": "decimal", "maxlength": 40}, **options)
    return StringField(render_kw={"maxlength": SHORT_LIMIT}, **options)


def with_questions(form_class: type, questions: list[Question], name: str) -> type:
    """A subclass of `form_class` with one field per question, after its own fields."""
    fields = {field_name(question): question_field(question) for question in questions}
    return type(name, (form_class,), fields)


def stored_to_form(question: Question, value: str):
    """A stored answer as its field's data (to show it again for editing)."""
    if question.kind == QuestionKind.MULTI:
        return value.splitlines()
    if question.kind == QuestionKind.COUNTRY:
        return country_code(value)
    return value
