"""Article editor (marketing): list, create, edit with a Markdown preview."""

from flask import abort, flash, redirect, render_template, url_for
from sqlalchemy import select

from app.content import render_markdown
from app.extensions import db
from app.models import Article, Author, Tag
from app.staff import bp
from app.staff.access import role_required
from app.staff.article_edits import save_article
from app.staff.editing import suggest_slug, to_local
from app.staff.forms import ArticleForm, options, timezone_choices
from app.staff.saving import save_form


@bp.get("/articles/")
@role_required("marketing")
def articles():
    query = select(Article).order_by(Article.updated_at.desc(), Article.id.desc())
    return render_template("staff/articles.html", articles=db.session.scalars(query).all())


@bp.route("/articles/new", methods=["GET", "POST"])
@role_required("marketing")
def article_new():
    return article_editor(None)


@bp.route("/articles/<slug>/edit", methods=["GET", "POST"])
@role_required("marketing")
def article_edit(slug: str):
    article = db.session.scalar(select(Article).where(Article.slug == slug)) or abort(404)
    return article_editor(article)


def article_editor(article: Article | None):
    form = article_form(article)
    preview = None
    if form.is_submitted() and form.preview.data:
        preview = render_markdown(form.body.data or "")
        form.slug.data = form.slug.data or suggest_slug(
            Article, form.title.data or "", _id(article)
        )
    elif form.validate_on_submit():
        saved = save_form(form, lambda values: save_article(article, values))
        if saved is not None:
            flash(f"Saved “{saved.title}”.", "success")
            return redirect(url_for("staff.article_edit", slug=saved.slug))
    return render_template("staff/article_form.html", form=form, article=article, preview=preview)


def article_form(article: Article | None) -> ArticleForm:
    data = {"status": "draft", "timezone": "UTC"}
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
        )
    form = ArticleForm(data=data)
    authors = db.session.execute(select(Author.id, Author.name).order_by(Author.name)).all()
    form.author_id.choices = options([("", "Choose an author"), *authors])
    tags = db.session.execute(select(Tag.id, Tag.name).order_by(Tag.name)).all()
    form.tag_ids.choices = options(tags)
    form.timezone.choices = timezone_choices()
    return form


def _id(row) -> int | None:
    return row.id if row is not None else None
