"""A migrated database for a test app, and emptying a shared PostgreSQL one afterwards."""

from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from app.extensions import db
from tests.support.settings import TEST_SETTINGS


def migrated_app(url: str, **settings):
    """An app on `url`, with the migrations run there."""
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": url, **settings})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return app


def truncate_all(app) -> None:
    """Empty every table of `app`'s PostgreSQL database (ids start again at 1)."""
    with app.app_context():
        names = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        db.session.commit()
