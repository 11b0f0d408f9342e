"""Tag editor (marketing)."""

from flask import abort, flash, redirect, render_template, url_for

from app.models import Role, Tag
from app.staff.forms import TagForm
from app.staff.services.tags import find_tag, save_tag, tags_with_uses
from app.staff.views.access import role_required
from app.staff.views.blueprint import bp
from app.staff.views.saving import save_form


@bp.get("/tags/")
@role_required(Role.MARKETING)
def tags():
    return render_template("staff/tags.html", rows=tags_with_uses())


@bp.route("/tags/new", methods=["GET", "POST"])
@role_required(Role.MARKETING)
def tag_new():
    return tag_editor(None)


@bp.route("/tags/<slug>/edit", methods=["GET", "POST"])
@role_required(Role.MARKETING)
def tag_edit(slug: str):
    return tag_editor(find_tag(slug) or abort(404))


def tag_editor(tag: Tag | None):
    form = TagForm(obj=tag)
    if form.validate_on_submit():
        saved = save_form(form, lambda values: save_tag(tag, values))
        if saved is not None:
            flash(f"Saved “{saved.name}”.", "success")
            return redirect(url_for("staff.tags"))
    return render_template("staff/tag_form.html", form=form, tag=tag)
