"""Tag editor (marketing)."""

from flask import abort, flash, redirect, render_template, url_for
from sqlalchemy import func, select

from app.extensions import db
from app.models import Tag, article_tag
from app.staff import bp
from app.staff.access import role_required
from app.staff.article_edits import save_tag
from app.staff.forms import TagForm
from app.staff.saving import save_form


@bp.get("/tags/")
@role_required("marketing")
def tags():
    uses = func.count(article_tag.c.article_id).label("uses")
    query = select(Tag, uses).outerjoin(article_tag).group_by(Tag.id).order_by(Tag.name)
    return render_template("staff/tags.html", rows=db.session.execute(query).all())


@bp.route("/tags/new", methods=["GET", "POST"])
@role_required("marketing")
def tag_new():
    return tag_editor(None)


@bp.route("/tags/<slug>/edit", methods=["GET", "POST"])
@role_required("marketing")
def tag_edit(slug: str):
    return tag_editor(db.session.scalar(select(Tag).where(Tag.slug == slug)) or abort(404))


def tag_editor(tag: Tag | None):
    form = TagForm(obj=tag)
    if form.validate_on_submit():
        saved = save_form(form, lambda values: save_tag(tag, values))
        if saved is not None:
            flash(f"Saved “{saved.name}”.", "success")
            return redirect(url_for("staff.tags"))
    return render_template("staff/tag_form.html", form=form, tag=tag)
