"""Article editor (marketing): list, create, edit with a Markdown preview; a new cover image
may be uploaded on the editor itself (so its POSTs take the upload body limit)."""

from flask import abort, flash, redirect, render_template, url_for

from app.content import render_markdown
from app.extensions import csrf
from app.models import Article, ArticleStatus, Role
from app.models.content import library_image
from app.staff.forms import ArticleForm, image_choices, options, timezone_choices
from app.staff.services.articles import (
    author_options,
    find_article,
    recent_articles,
    save_article,
    tag_options,
)
from app.staff.services.publishing import suggest_slug, to_local
from app.staff.views.access import role_required
from app.staff.views.blueprint import bp
from app.staff.views.saving import note_upload_not_kept, save_form
from app.staff.views.uploads import accept_editor_body


@bp.get("/articles/")
@role_required(Role.MARKETING)
def articles():
    return render_template("staff/articles.html", articles=recent_articles())


@bp.route("/articles/new", methods=["GET", "POST"])
@csrf.exempt  # checked by accept_editor_body(), after the body limit is raised
@role_required(Role.MARKETING)
def article_new():
    return article_editor(None)


@bp.route("/articles/<slug>/edit", methods=["GET", "POST"])
@csrf.exempt  # checked by accept_editor_body(), after the body limit is raised
@role_required(Role.MARKETING)
def article_edit(slug: str):
    return article_editor(find_article(slug) or abort(404))


def article_editor(article: Article | None):
    too_large = accept_editor_body()
    form = article_form(article, read_request=not too_large)
    preview = None
    if too_large:
        form.new_image.errors = [too_large]
        page = render_template("staff/article_form.html", form=form, article=article)
        return page, 413
    if form.is_submitted() and form.preview.data:
        preview = render_markdown(form.body.data or "", find_image=library_image)
        form.slug.data = form.slug.data or suggest_slug(
            Article, form.title.data or "", _id(article)
        )
    elif form.validate_on_submit():
        saved = save_form(form, lambda values: save_article(article, values))
        if saved is not None:
            flash(f"Saved “{saved.title}”.", "success")
            return redirect(url_for("staff.article_edit", slug=saved.slug))
    note_upload_not_kept(form)  # a preview or a refused save kept no file
    return render_template("staff/article_form.html", form=form, article=article, preview=preview)


def article_form(article: Article | None, read_request: bool = True) -> ArticleForm:
    data = {"status": ArticleStatus.DRAFT, "timezone": "UTC"}
    if article is not None:
        data.update(
            title=article.title,
            slug=article.slug,
            summary=article.summary,
            body=article.body_md,
            author_id=article.author_id,
            tag_ids=[tag.id for tag in article.tags],
            status=article.status,
            published_at=to_local(article.published_at, "UTC"),
            image=article.image_id,
        )
    form = ArticleForm(data=data) if read_request else ArticleForm(formdata=None, data=data)
    form.author_id.choices = options([("", "Choose an author"), *author_options()])
    form.tag_ids.choices = options(tag_options())
    form.timezone.choices = timezone_choices()
    form.image.choices = image_choices()
    return form


def _id(row) -> int | None:
    return row.id if row is not None else None
