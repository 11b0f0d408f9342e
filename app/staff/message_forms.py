"""Forms for writing to people: a staff message to an event's attendees, an announcement."""

from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField

from app.staff.forms import StaffForm, optional_int


class MessageForm(StaffForm):
    """Subject and body are checked by the service (app/staff/services/group_mail.py), so a
    test or a script calling it directly is held to the same rules."""

    audience = RadioField("Who gets it", default="confirmed", validate_choice=False)
    subject = StringField("Subject", render_kw={"maxlength": 150})
    body = TextAreaField(
        "Message (Markdown)",
        description="Each person is greeted by name; their own manage link is added below.",
        render_kw={"rows": 10},
    )
    preview = SubmitField("Preview")
    send = SubmitField("Send")


class AnnouncementForm(StaffForm):
    event_id = SelectField("Event announced", coerce=optional_int, validate_choice=False)
    subject = StringField("Subject", render_kw={"maxlength": 150})
    body = TextAreaField(
        "Announcement (Markdown)",
        description="An unsubscribe link is added to every copy.",
        render_kw={"rows": 10},
    )
    preview = SubmitField("Preview")
    send = SubmitField("Send")
