"""A migrated database for a test app, and emptying a shared PostgreSQL one afterwards."""

import shutil
from contextlib import contextmanager

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from app.extensions import db
from tests.support.settings import FORM_SETTINGS, POSTGRES_URL, TEST_SETTINGS


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


@contextmanager
def crowd_app(request, tmp_path, sqlite_template, sqlite_pool: int, postgres_pool: int):
    """An app for many simultaneous requests, on the backend `request.param` names ("sqlite":
    a file copied from the migrated template; "postgresql": TEST_DATABASE_URL, skipped when
    unset), with a connection pool big enough for the crowd; emptied and disposed after."""
    if request.param == "sqlite":
        path = tmp_path / "crowd.sqlite"
        shutil.copy(sqlite_template, path)
        url, engine = f"sqlite:///{path}", {"pool_size": sqlite_pool, "max_overflow": 0}
    else:
        if not POSTGRES_URL:
            pytest.skip("PostgreSQL run skipped: set TEST_DATABASE_URL to run it")
        request.getfixturevalue("postgres_migrated")
        # Enough connections to overlap heavily without exhausting a shared server.
        url = POSTGRES_URL
        engine = {"pool_size": postgres_pool, "max_overflow": 0, "pool_timeout": 120}
    app = create_app(
        {
            **TEST_SETTINGS,
            **FORM_SETTINGS,
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, **engine},
        }
    )
    yield app
    if url.startswith("postgresql"):
        truncate_all(app)
    with app.app_context():
        db.engine.dispose()
