"""What the two ways of writing to people share (a staff message, an announcement): a POST
either previews the draft or sends it, and a refused message puts its reasons on the fields."""

from collections.abc import Callable

from flask import flash, redirect

from app.extensions import db
from app.staff.services.group_mail import MessageError


def preview_or_send(form, prepare: Callable, send: Callable, sent_url: str):
    """Either the Response to send back (sent: a redirect to `sent_url`) or (draft, status)."""
    if not form.validate_on_submit():
        return None, 200
    try:
        if form.send.data:
            sent = send()
            db.session.commit()
            flash(f"Queued “{sent.subject}” for {sent.recipients} people.", "success")
            return redirect(sent_url)
        return prepare(), 200
    except MessageError as error:
        db.session.rollback()
        for name, text in error.errors.items():
            getattr(form, name).errors = [text]
        return None, 422
