"""The Northlight application factory."""

import logging

from flask import Flask, render_template, request
from werkzeug.middleware.proxy_fix import ProxyFix

from app import cli, extensions, observability, page_cache, security, templating
from app import db as dbutil
from app.config import ROOT, Config
from app.staff.views import bp as staff_bp


def create_app(config: dict | None = None) -> Flask:
    """Build the app: settings from the environment, then `config` on top (tests use it)."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_mapping(Config().as_dict())
    if config:
        app.config.from_mapping(config)
    derive_from_site_url(app, config or {})
    configure_proxies(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_request_hooks(app)
    security.register(app)
    page_cache.register(app)
    observability.register(app)
    templating.register(app)
    cli.register(app)
    return app


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
    from app.extensions import csrf, db, limiter, login_manager, mail, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    mail.init_app(app)
    register_outbox(app)
    csrf.init_app(app)
    # No current_user in every template: public pages must not touch the session (no cookie).
    login_manager.init_app(app, add_context_processor=False)
    limiter.init_app(app)
    with app.app_context():
        dbutil.configure_sqlite(db.engine)


def register_outbox(app: Flask) -> None:
    """Email delivery after commit (a background sender, or a worker) and `flask outbox`."""
    from app import mail as outbox_mail

    outbox_mail.init_app(app)


def register_blueprints(app: Flask) -> None:
    from app.registration import bp as registration_bp
    from app.site import bp as site_bp

    app.register_blueprint(site_bp)
    app.register_blueprint(registration_bp)
    app.register_blueprint(staff_bp, url_prefix="/staff")


def register_errorhandlers(app: Flask) -> None:
    def render_error(error):
        code = getattr(error, "code", 500) or 500
        if code == 500:
            # Whatever failed, the session must not carry a broken transaction forward.
            extensions.db.session.rollback()
        template = (
            f"errors/{code}.html" if code in (403, 404, 429, 500, 503) else "errors/generic.html"
        )
        return render_template(template, error=error, code=code), code

    for code in (400, 403, 404, 405, 413, 429, 500, 503):
        app.register_error_handler(code, render_error)


def register_request_hooks(app: Flask) -> None:
    @app.before_request
    def read_only_transactions_for_safe_methods():
        if request.method in ("GET", "HEAD", "OPTIONS"):
            request.environ["northlight.sqlite_token"] = dbutil.sqlite_immediate.set(False)

    @app.teardown_request
    def restore_transaction_mode(exc):
        token = request.environ.pop("northlight.sqlite_token", None)
        if token is not None:
            dbutil.sqlite_immediate.reset(token)


logging.getLogger("northlight").setLevel(logging.INFO)
