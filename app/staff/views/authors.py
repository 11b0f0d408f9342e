"""Author editor (marketing); a new portrait may be uploaded on the editor itself (so its
POSTs take the upload body limit)."""

from flask import abort, flash, redirect, render_template, url_for

from app.extensions import csrf
from app.models import Author, Role
from app.staff.forms import AuthorForm, image_choices
from app.staff.services.authors import all_authors, find_author, save_author
from app.staff.views.access import role_required
from app.staff.views.blueprint import bp
from app.staff.views.saving import note_upload_not_kept, save_form
from app.staff.views.uploads import accept_editor_body


@bp.get("/authors/")
@role_required(Role.MARKETING)
def authors():
    return render_template("staff/authors.html", authors=all_authors())


@bp.route("/authors/new", methods=["GET", "POST"])
@csrf.exempt  # checked by accept_editor_body(), after the body limit is raised
@role_required(Role.MARKETING)
def author_new():
    return author_editor(None)


@bp.route("/authors/<slug>/edit", methods=["GET", "POST"])
@csrf.exempt  # checked by accept_editor_body(), after the body limit is raised
@role_required(Role.MARKETING)
def author_edit(slug: str):
    return author_editor(find_author(slug) or abort(404))


def author_editor(author: Author | None):
    too_large = accept_editor_body()
    image = author.image_id if author else None
    if too_large:
        form = AuthorForm(formdata=None, obj=author, image=image)
    else:
        form = AuthorForm(obj=author, image=image)
    form.image.choices = image_choices()
    if too_large:
        form.new_image.errors = [too_large]
        return render_template("staff/author_form.html", form=form, author=author), 413
    if form.validate_on_submit():
        saved = save_form(form, lambda values: save_author(author, values))
        if saved is not None:
            flash(f"Saved “{saved.name}”.", "success")
            return redirect(url_for("staff.authors"))
    note_upload_not_kept(form)  # a refused save kept no file
    return render_template("staff/author_form.html", form=form, author=author)
