"""The Northlight application factory."""

import logging

from flask import Flask, render_template, request
from werkzeug.middleware.proxy_fix import ProxyFix

from app import db as dbutil
from app import http, observability, templating
from app.config import ROOT, Config
from app.demo.seed import seed_command
from app.extensions import csrf, db, limiter, login_manager, mail, migrate
from app.http.generation import REDIS_TIMEOUTS, redis_url
from app.media.routes import bp as media_bp
from app.outbox import cli as outbox_cli
from app.outbox import sender as outbox_sender
from app.outbox.schedule import register_job
from app.privacy import cli as privacy_cli
from app.privacy.retention import JOB_NAME as PURGE_JOB
from app.privacy.retention import run_purge
from app.privacy.routes import bp as unsubscribe_bp
from app.registration import programme_emails, reminders
from app.registration.routes import bp as registration_bp
from app.site.routes import bp as site_bp
from app.staff.cli import users_command
from app.staff.views import bp as staff_bp


def create_app(config: dict | None = None) -> Flask:
    """Build the app: settings from the environment, then `config` on top (tests use it)."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    load_settings(app, config or {})
    configure_proxies(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_request_hooks(app)
    http.register(app)
    observability.register(app)
    templating.register(app)
    register_background_work(app)
    register_commands(app)
    return app


def load_settings(app: Flask, overrides: dict) -> None:
    """Settings from the environment (app.config.Config), then `overrides` on top."""
    app.config.from_mapping(Config().as_dict())
    app.config.from_mapping(overrides)
    derive_from_site_url(app, overrides)


def derive_from_site_url(app: Flask, overrides: dict) -> None:
    """Secure cookies and https URLs follow SITE_URL (after overrides), unless set explicitly."""
    secure = app.config["SITE_URL"].startswith("https://")
    derived = {
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_SECURE": secure,
        "PREFERRED_URL_SCHEME": "https" if secure else "http",
    }
    for key, value in derived.items():
        if key not in overrides:
            app.config[key] = value


def configure_proxies(app: Flask) -> None:
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    mail.init_app(app)
    csrf.init_app(app)
    # No current_user in every template: public pages must not touch the session (no cookie).
    login_manager.init_app(app, add_context_processor=False)
    if redis_url(app):
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", REDIS_TIMEOUTS)
    limiter.init_app(app)
    with app.app_context():
        dbutil.configure_sqlite(db.engine)


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(site_bp)
    app.register_blueprint(registration_bp)
    app.register_blueprint(media_bp)
    app.register_blueprint(unsubscribe_bp)
    app.register_blueprint(staff_bp, url_prefix="/staff")


def register_errorhandlers(app: Flask) -> None:
    def render_error(error):
        code = getattr(error, "code", 500) or 500
        if code == 500:
            # Whatever failed, the session must not carry a broken transaction forward.
            db.session.rollback()
        template = (
            f"errors/{code}.html" if code in (403, 404, 429, 500, 503) else "errors/generic.html"
        )
        # The 429 page asks to wait a minute; so does its header, for clients that read it.
        headers = {"Retry-After": "60"} if code == 429 else {}
        return render_template(template, error=error, code=code), code, headers

    for code in (400, 403, 404, 405, 413, 429, 500, 503):
        app.register_error_handler(code, render_error)


def register_request_hooks(app: Flask) -> None:
    @app.before_request
    def read_only_transactions_for_safe_methods():
        if request.method in ("GET", "HEAD", "OPTIONS"):
            request.environ[dbutil.TOKEN_KEY] = dbutil.sqlite_immediate.set(False)

    @app.teardown_request
    def restore_transaction_mode(exc):
        token = request.environ.pop(dbutil.TOKEN_KEY, None)
        if token is not None:
            dbutil.sqlite_immediate.reset(token)


def register_background_work(app: Flask) -> None:
    """MAIL_DELIVERY=thread: a per-process sender that delivers the outbox after commits; the
    scheduled jobs those processes run (programme change emails, reminders)."""
    outbox_sender.init_app(app)
    programme_emails.register_jobs(app)
    reminders.register_jobs(app)
    # The daily retention purge (app/privacy/retention.py); an interval of 0 turns it off.
    if app.config["PRIVACY_PURGE_INTERVAL_SECONDS"] > 0:
        register_job(
            app, PURGE_JOB, lambda app: app.config["PRIVACY_PURGE_INTERVAL_SECONDS"], run_purge
        )


def register_commands(app: Flask) -> None:
    """`flask seed`, `flask users create`, `flask outbox deliver`, `flask privacy purge`."""
    app.cli.add_command(seed_command)
    app.cli.add_command(users_command)
    app.cli.add_command(outbox_cli.outbox)
    app.cli.add_command(privacy_cli.privacy)


logging.getLogger("northlight").setLevel(logging.INFO)
