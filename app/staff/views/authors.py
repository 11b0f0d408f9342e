"""Author editor (marketing)."""

from flask import abort, flash, redirect, render_template, url_for

from app.models import Author, Role
from app.staff.forms import AuthorForm, image_choices
from app.staff.services.authors import all_authors, find_author, save_author
from app.staff.views.access import role_required
from app.staff.views.blueprint import bp
from app.staff.views.saving import save_form


@bp.get("/authors/")
@role_required(Role.MARKETING)
def authors():
    return render_template("staff/authors.html", authors=all_authors())


@bp.route("/authors/new", methods=["GET", "POST"])
@role_required(Role.MARKETING)
def author_new():
    return author_editor(None)


@bp.route("/authors/<slug>/edit", methods=["GET", "POST"])
@role_required(Role.MARKETING)
def author_edit(slug: str):
    return author_editor(find_author(slug) or abort(404))


def author_editor(author: Author | None):
    form = AuthorForm(obj=author, image=author.image_id if author else None)
    form.image.choices = image_choices()
    if form.validate_on_submit():
        saved = save_form(form, lambda values: save_author(author, values))
        if saved is not None:
            flash(f"Saved “{saved.name}”.", "success")
            return redirect(url_for("staff.authors"))
    return render_template("staff/author_form.html", form=form, author=author)
