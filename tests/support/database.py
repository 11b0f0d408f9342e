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


def make_app(database_url: str, **settings):
    """An app of its own on `database_url`, with `settings` on top of the test settings."""
    return create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": database_url, **settings})


def truncate_statement() -> str:
    """Empties every table of a PostgreSQL database (ids start again at 1)."""
    names = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    return f"TRUNCATE {names} RESTART IDENTITY CASCADE"


def truncate_all(app) -> None:
    """Empty every table of `app`'s PostgreSQL database."""
    with app.app_context():
        db.session.execute(text(truncate_statement()))
        db.session.commit()
