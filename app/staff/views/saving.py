"""The common end of every editor POST: call the service, commit, or show what went wrong.

An editor with "upload a new one" (app/media/editor_fields.py) has its file checked while the
form is validated; here it becomes a library item, chosen as the page's image, in the same
transaction as the page: when the page cannot be saved, the image is not kept either."""

from collections.abc import Callable
from typing import TypeVar

from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.media.library import add_media
from app.staff.forms import editor_values, show_errors
from app.staff.services import audit
from app.staff.services.publishing import EditError

T = TypeVar("T")
CHOOSE_AGAIN = (
    "Choose the file again: it was not uploaded, because nothing was saved "
    "(browsers cannot keep a chosen file across pages)."
)


def save_form(form: FlaskForm, save: Callable[[dict], T]) -> T | None:
    """Run `save` on the form's values in one transaction; on bad input, roll back and put the
    messages on the form (nothing half-saved) and return None."""
    try:
        values = editor_values(form)
        new_image = add_new_image(form)
        if new_image is not None:
            values["image"] = new_image
        saved = save(values)
        db.session.commit()
    except EditError as error:
        db.session.rollback()
        show_errors(form, error.errors)
        note_upload_not_kept(form)
        return None
    except IntegrityError:
        # Another editor took the same slug or name between our check and our save.
        db.session.rollback()
        show_errors(form, {"slug": "Someone saved the same slug a moment ago; choose another."})
        note_upload_not_kept(form)
        return None
    return saved


def add_new_image(form: FlaskForm) -> int | None:
    """The id of the library item made from the form's checked upload, if it has one."""
    checked = getattr(form, "checked_image", None)
    if checked is None:
        return None
    item = add_media([checked], form.new_image_details())[0]
    audit.record("media.upload", item, f"Uploaded image “{item.filename}” from an editor")
    return item.id


def note_upload_not_kept(form: FlaskForm) -> None:
    """A file that was sent but not stored (the page had errors, or it was a preview) must be
    chosen again; say so next to the file field, unless it already has its own error."""
    if getattr(form, "has_new_image", lambda: False)() and not form.new_image.errors:
        form.new_image.errors = [CHOOSE_AGAIN]
