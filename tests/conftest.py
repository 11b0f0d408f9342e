"""Fixtures: an app on a fresh database per test (SQLite file, or PostgreSQL when
TEST_DATABASE_URL is set), a client and the CLI runner. Helpers live in tests/support/."""

import shutil

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from app import create_app
from app.extensions import db
from tests.support.database import migrated_app, truncate_statement
from tests.support.settings import POSTGRES_URL, REDIS_URL, TEST_SETTINGS

# The real SMTP server fixture (`smtp_server`), shared by every test module.
pytest_plugins = ["tests.support.smtp"]


def pytest_report_header(config):
    database = POSTGRES_URL or "SQLite (set TEST_DATABASE_URL for PostgreSQL)"
    lines = [f"database: {database}"]
    if not POSTGRES_URL:
        lines.append("skipping PostgreSQL-only tests: TEST_DATABASE_URL is not set")
    if not REDIS_URL:
        lines.append("skipping Redis-only tests: REDIS_URL is not set")
    return lines


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A migrated SQLite file, copied for each test: migrations run once per session."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    migrated_app(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_migrated():
    if not POSTGRES_URL:
        return None
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": POSTGRES_URL})
    with app.app_context():
        db.session.execute(text("DROP SCHEMA public CASCADE"))
        db.session.execute(text("CREATE SCHEMA public"))
        db.session.commit()
        upgrade()
        db.engine.dispose()
    return POSTGRES_URL


@pytest.fixture
def database_url(tmp_path, sqlite_template, postgres_migrated):
    """The database for this test, empty but migrated."""
    if postgres_migrated:
        yield postgres_migrated
        # Emptied here rather than by the `app` fixture: a test may also write through apps of its
        # own (make_app), and the next test must not find their rows.
        engine = create_engine(postgres_migrated)
        with engine.begin() as connection:
            connection.execute(text(truncate_statement()))
        engine.dispose()
        return
    path = tmp_path / "test.sqlite"
    shutil.copy(sqlite_template, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def app_settings():
    """Override in a test module to change settings for its app."""
    return {}


@pytest.fixture
def app(database_url, app_settings):
    """The app on this test's database. No app context is pushed: requests get their own,
    as in production; set data up inside `with app.app_context():` and commit it."""
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": database_url, **app_settings})
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
