"""The media library's forms: upload (field `file`, several at once), describe, replace."""

from flask_wtf.file import FileField, MultipleFileField
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length

from app.media.editor_fields import ALT_HINT
from app.staff.forms import StaffForm, strip


class MediaDetailsForm(StaffForm):
    alt = StringField(
        "Alt text", validators=[Length(max=300)], filters=[strip], description=ALT_HINT
    )
    decorative = BooleanField(
        'Decorative: it adds nothing a reader would miss (then alt="" is used)'
    )
    caption = TextAreaField("Caption (optional)", filters=[strip], render_kw={"rows": 2})
    credit = StringField("Credit (optional)", validators=[Length(max=200)], filters=[strip])
    save = SubmitField("Save")


class MediaUploadForm(MediaDetailsForm):
    file = MultipleFileField(
        "Image files",
        description="JPEG, PNG, WebP or GIF; several at once share the description below.",
        render_kw={"accept": "image/jpeg,image/png,image/webp,image/gif"},
    )
    save = SubmitField("Upload")


class MediaReplaceForm(StaffForm):
    file = FileField(
        "New image file",
        description="Pages using this image show the new one; the description stays.",
        render_kw={"accept": "image/jpeg,image/png,image/webp,image/gif"},
    )
    save = SubmitField("Replace")
