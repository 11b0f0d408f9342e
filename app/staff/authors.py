"""Author editor (marketing)."""

from flask import abort, flash, redirect, render_template, url_for
from sqlalchemy import select

from app.extensions import db
from app.models import Author
from app.staff import bp
from app.staff.access import role_required
from app.staff.article_edits import save_author
from app.staff.forms import AuthorForm
from app.staff.saving import save_form


@bp.get("/authors/")
@role_required("marketing")
def authors():
    rows = db.session.scalars(select(Author).order_by(Author.name)).all()
    return render_template("staff/authors.html", authors=rows)


@bp.route("/authors/new", methods=["GET", "POST"])
@role_required("marketing")
def author_new():
    return author_editor(None)


@bp.route("/authors/<slug>/edit", methods=["GET", "POST"])
@role_required("marketing")
def author_edit(slug: str):
    return author_editor(db.session.scalar(select(Author).where(Author.slug == slug)) or abort(404))


def author_editor(author: Author | None):
    form = AuthorForm(obj=author)
    if form.validate_on_submit():
        saved = save_form(form, lambda values: save_author(author, values))
        if saved is not None:
            flash(f"Saved “{saved.name}”.", "success")
            return redirect(url_for("staff.authors"))
    return render_template("staff/author_form.html", form=form, author=author)
