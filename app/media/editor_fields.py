""" "Upload a new one" beside an editor's image picker (articles, events, authors): a file and
its alt text on the editor's own form, checked exactly like a library upload when the form is
validated. Saving adds it to the library and chooses it (app/staff/views/saving.py)."""

from flask_wtf.file import FileField
from wtforms import BooleanField, StringField
from wtforms.validators import Length, ValidationError

from app.media.library import Checked, Upload, check_upload
from app.media.validation import MediaError

ACCEPT = "image/jpeg,image/png,image/webp,image/gif"
ALT_HINT = (
    "Say what the picture shows for people who cannot see it; leave it empty only if you "
    "mark the image decorative."
)
ALT_MISSING = (
    "Describe the new image in its alt text, or mark it decorative if it adds nothing a "
    "reader would miss."
)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class NewImageFields:
    """Fields mixed into an editor form; `checked_image` is the upload once it passed."""

    new_image = FileField(
        "New image file",
        description=(
            "JPEG, PNG, WebP or GIF. It is added to the media library and chosen here when "
            "you save (not on preview)."
        ),
        render_kw={"accept": ACCEPT},
    )
    new_image_alt = StringField(
        "Alt text of the new image",
        validators=[Length(max=300)],
        filters=[_strip],
        description=ALT_HINT,
    )
    new_image_decorative = BooleanField(
        'The new image is decorative: it adds nothing a reader would miss (then alt="" is used)'
    )

    FIELDS = ("new_image", "new_image_alt", "new_image_decorative")
    checked_image: Checked | None = None

    def has_new_image(self) -> bool:
        """Whether a file was chosen (browsers send an empty, nameless part when none is)."""
        return bool(self.new_image.data and self.new_image.data.filename)

    def validate_new_image(self, field) -> None:
        self.checked_image = None
        if not self.has_new_image():
            return
        try:
            self.checked_image = check_upload(Upload(field.data.filename, field.data.stream))
        except MediaError as error:
            raise ValidationError(str(error)) from None

    def validate_new_image_alt(self, field) -> None:
        if self.has_new_image() and not field.data and not self.new_image_decorative.data:
            raise ValidationError(ALT_MISSING)

    def new_image_details(self) -> dict:
        """The description a library item made from the upload gets."""
        return {"alt": self.new_image_alt.data, "decorative": self.new_image_decorative.data}
