"""Public pages. Each view fetches what the page shows and renders it; nothing here writes."""

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select, text

from app.extensions import db
from app.models import EVENT_KINDS, Article, Author
from app.models.programme import event_programme
from app.pagination import paginate
from app.privacy.retention import retention_periods
from app.registration.programme_calendar import events_feed_ics, programme_ics
from app.registration.rules import registration_state
from app.site import programme, queries

bp = Blueprint("site", __name__)


@bp.get("/")
def home():
    articles = db.session.scalars(queries.visible_articles().limit(4)).all()
    return render_template("site/home.html", events=queries.upcoming_events(3), articles=articles)


@bp.get("/blog/")
def blog():
    pagination = paginate(queries.visible_articles(), current_app.config["ARTICLES_PER_PAGE"])
    return render_template("site/blog.html", pagination=pagination, tags=queries.tags_in_use())


@bp.get("/blog/<slug>")
def article(slug: str):
    found = queries.get_article(slug)
    if found is None:
        return redirect_if_renamed("article", slug, "site.article")
    return render_template(
        "site/article.html", article=found, related=queries.related_articles(found)
    )


@bp.get("/blog/tags/<slug>")
def tag(slug: str):
    found = queries.get_tag(slug)
    if found is None:
        abort(404)
    articles = db.session.scalars(
        queries.visible_articles().where(Article.tags.any(id=found.id))
    ).all()
    if not articles:
        abort(404)
    return render_template("site/tag.html", tag=found, articles=articles)


@bp.get("/authors/<slug>")
def author(slug: str):
    found = queries.get_author(slug)
    if found is None:
        abort(404)
    articles = db.session.scalars(
        queries.visible_articles().where(Article.author_id == found.id)
    ).all()
    upcoming, past = programme.speaker_sessions(found)
    return render_template(
        "site/author.html", author=found, articles=articles, speaks=bool(upcoming or past)
    )


@bp.get("/events/")
def events():
    return render_template(
        "site/events.html", upcoming=queries.upcoming_events(), past=queries.past_events()
    )


@bp.get("/events/<slug>")
def event(slug: str):
    found = queries.get_event(slug)
    if found is None:
        return redirect_if_renamed("event", slug, "site.event")
    sessions = event_programme(found)
    return render_template(
        "site/event.html",
        event=found,
        state=registration_state(found),
        next_sessions=programme.next_sessions(sessions),
        has_programme=bool(sessions),
        ld_extras=programme.event_ld_extras(found, sessions),
    )


# ---- The programme, speakers and calendars (issue 15) ----


@bp.get("/events/<slug>/programme", endpoint="programme")
def programme_page(slug: str):
    found = queries.get_event(slug)
    if found is None:
        return redirect_if_renamed("event", slug, "site.programme")
    sessions = event_programme(found)
    return render_template(
        "site/programme.html", event=found, days=programme.by_day(found, sessions)
    )


@bp.get("/events/<slug>/programme.ics")
def programme_calendar(slug: str):
    found = queries.get_event(slug)
    if found is None:
        abort(404)
    body = programme_ics(found, event_programme(found))
    return calendar_response(body, f"{found.slug}-programme.ics")


@bp.get("/events/calendar.ics")
def events_calendar():
    kind = request.args.get("kind") or None
    if kind is not None and kind not in EVENT_KINDS:
        message = f"Unknown kind {kind!r}: kind must be one of {', '.join(EVENT_KINDS)}.\n"
        return message, 400, {"Content-Type": "text/plain; charset=utf-8"}
    what = f"{EVENT_KINDS[kind].lower()}s" if kind else "events"
    name = f"{current_app.config['SITE_NAME']} {what}"
    body = events_feed_ics(name, programme.upcoming_for_feed(kind))
    return calendar_response(body, "northlight-events.ics")


@bp.get("/speakers/")
def speakers():
    return render_template("site/speakers.html", speakers=programme.all_speakers())


@bp.get("/speakers/<slug>")
def speaker(slug: str):
    found = queries.get_author(slug)
    if found is None:
        abort(404)
    upcoming, past = programme.speaker_sessions(found)
    if not upcoming and not past:
        abort(404)  # a writer who never spoke has their page at /authors/<slug>
    articles = db.session.scalars(
        queries.visible_articles().where(Article.author_id == found.id)
    ).all()
    return render_template(
        "site/speaker.html", author=found, upcoming=upcoming, past=past, articles=articles
    )


@bp.get("/privacy")
def privacy():
    return render_template("site/privacy.html", retention=retention_periods())


@bp.get("/blog/feed.xml")
def feed():
    articles = db.session.scalars(queries.visible_articles().limit(20)).all()
    body = render_template("site/feed.xml", articles=articles, site_url=site_url())
    return xml_response(body, "application/atom+xml")


@bp.get("/sitemap.xml")
def sitemap():
    articles = db.session.scalars(queries.visible_articles()).all()
    events = db.session.scalars(queries.visible_events().order_by("starts_at")).all()
    authors = db.session.scalars(
        select(Author).where(Author.articles.any()).order_by(Author.name)
    ).all()
    body = render_template(
        "site/sitemap.xml",
        site_url=site_url(),
        articles=articles,
        events=events,
        authors=authors,
        tags=queries.tags_in_use(),
        programmes=programme.events_with_programme(),
        speakers=programme.all_speakers(),
    )
    return xml_response(body, "application/xml")


@bp.get("/robots.txt")
def robots():
    body = (
        "User-agent: *\nDisallow: /staff/\nDisallow: /registrations/\n\n"
        f"Sitemap: {site_url()}/sitemap.xml\n"
    )
    response = make_response(body)
    response.mimetype = "text/plain"
    return response


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not healthy", never a traceback
        db.session.rollback()
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}


def redirect_if_renamed(kind: str, slug: str, endpoint: str):
    """A 301 to where a renamed article or event lives now. :raises NotFound: otherwise."""
    new_slug = queries.renamed_slug(kind, slug)
    if not new_slug or new_slug == slug:
        abort(404)
    return redirect(url_for(endpoint, slug=new_slug), 301)


def site_url() -> str:
    return current_app.config["SITE_URL"]


def calendar_response(body: str, filename: str):
    """A public calendar file: text/calendar in UTF-8, shown inline so it can be subscribed to."""
    response = make_response(body)
    response.mimetype = "text/calendar"
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def xml_response(body: str, mimetype: str):
    response = make_response(body)
    response.mimetype = mimetype
    response.charset = "utf-8"
    return response
