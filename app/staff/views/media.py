"""The media library (/staff/media/): everyone signed in may look; marketing and admin may
upload, describe, replace and delete. The upload views raise the body limit for themselves
and check the CSRF token after it (app/staff/views/uploads.py).
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.extensions import csrf, db
from app.media.forms import MediaDetailsForm, MediaReplaceForm, MediaUploadForm
from app.media.library import (
    add_media,
    all_media,
    check_all,
    delete_media,
    describe,
    find_media,
    replace_picture,
    update_details,
    uses_of,
)
from app.media.validation import MediaError
from app.models import MediaItem, Role
from app.staff.forms import EmptyForm
from app.staff.services import audit
from app.staff.views.access import role_required
from app.staff.views.blueprint import bp
from app.staff.views.uploads import accept_large_body, uploads_from

DESCRIBED = ("alt", "decorative", "caption", "credit")


@bp.route("/media/", methods=["GET", "POST"])
@csrf.exempt
@role_required(Role.STAFF)
def media():
    if request.method == "GET":
        return render_template("staff/media.html", form=MediaUploadForm(), items=all_media())
    if not current_user_may_change():
        abort(403)
    too_large = accept_large_body()
    if too_large:
        form = MediaUploadForm(formdata=None)
        form.file.errors = [too_large]
        return render_template("staff/media.html", form=form, items=all_media()), 413
    # Made only now: a form reads the request body, which must wait for the raised limit.
    form = MediaUploadForm(meta={"csrf": False})
    try:
        describe(MediaItem(), form.data)
        items = add_media(check_all(uploads_from()), form.data)
        for item in items:
            audit.record("media.upload", item, f"Uploaded image “{item.filename}”")
        db.session.commit()
    except MediaError as error:
        db.session.rollback()
        field = form.alt if "alt text" in str(error) else form.file
        field.errors = [str(error)]
        return render_template("staff/media.html", form=form, items=all_media())
    flash(f"Uploaded {len(items)} image{'s' if len(items) != 1 else ''}.", "success")
    return redirect(url_for("staff.media_item", media_id=items[0].id))


@bp.route("/media/<int:media_id>", methods=["GET", "POST"])
@role_required(Role.STAFF)
def media_item(media_id: int):
    item = find_media(media_id) or abort(404)
    form = MediaDetailsForm(obj=item)
    if form.is_submitted() and not current_user_may_change():
        abort(403)
    if form.validate_on_submit():
        try:
            before = audit.snapshot(item, DESCRIBED)
            update_details(item, form.data)
            changes = audit.changed_fields(before, audit.snapshot(item, DESCRIBED))
            audit.record("media.update", item, f"Described image {item.id}", changes)
            db.session.commit()
            flash("Saved the description.", "success")
            return redirect(url_for("staff.media_item", media_id=item.id))
        except MediaError as error:
            db.session.rollback()
            form.alt.errors = [str(error)]
    return media_page(item, form=form)


@bp.post("/media/<int:media_id>/replace")
@csrf.exempt
@role_required(Role.MARKETING)
def media_replace(media_id: int):
    item = find_media(media_id) or abort(404)
    replace_form = MediaReplaceForm(formdata=None)
    too_large = accept_large_body()
    if too_large:
        replace_form.file.errors = [too_large]
        return media_page(item, replace_form=replace_form, status=413)
    try:
        checked = check_all(uploads_from())[:1]
        replace_picture(item, checked[0])
        audit.record("media.replace", item, f"Replaced image {item.id} with “{item.filename}”")
        db.session.commit()
    except MediaError as error:
        db.session.rollback()
        replace_form.file.errors = [str(error)]
        return media_page(find_media(media_id), replace_form=replace_form)
    flash("Replaced the image; pages using it show the new one.", "success")
    return redirect(url_for("staff.media_item", media_id=media_id))


@bp.post("/media/<int:media_id>/delete")
@role_required(Role.MARKETING)
def media_delete(media_id: int):
    item = find_media(media_id) or abort(404)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        label = f"Deleted image {item.id} “{item.filename}”"
        delete_media(item)
        audit.record("media.delete", None, label)
        db.session.commit()
    except MediaError as error:
        db.session.rollback()
        return media_page(find_media(media_id), delete_error=str(error))
    flash("Deleted the image.", "success")
    return redirect(url_for("staff.media"))


def media_page(item, form=None, replace_form=None, delete_error=None, status=200):
    return (
        render_template(
            "staff/media_item.html",
            item=item,
            form=form or MediaDetailsForm(obj=item),
            replace_form=replace_form or MediaReplaceForm(formdata=None),
            delete_form=EmptyForm(),
            delete_error=delete_error,
            uses=uses_of(item),
            may_change=current_user_may_change(),
        ),
        status,
    )


def current_user_may_change() -> bool:
    return current_user.has_role(Role.MARKETING)
