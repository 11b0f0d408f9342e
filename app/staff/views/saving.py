"""The common end of every editor POST: call the service, commit, or show what went wrong."""

from collections.abc import Callable
from typing import TypeVar

from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.staff.forms import editor_values, show_errors
from app.staff.services.publishing import EditError

T = TypeVar("T")


def save_form(form: FlaskForm, save: Callable[[dict], T]) -> T | None:
    """Run `save` on the form's values in one transaction; on bad input, roll back and put the
    messages on the form (nothing half-saved) and return None."""
    try:
        saved = save(editor_values(form))
        db.session.commit()
    except EditError as error:
        db.session.rollback()
        show_errors(form, error.errors)
        return None
    except IntegrityError:
        # Another editor took the same slug or name between our check and our save.
        db.session.rollback()
        show_errors(form, {"slug": "Someone saved the same slug a moment ago; choose another."})
        return None
    return saved
