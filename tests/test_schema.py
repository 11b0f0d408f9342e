"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.extensions import db


def test_the_migrated_database_matches_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []


def test_registration_keeps_only_the_indexes_its_queries_use(app):
    """Every sign-up writes each index: the export's and the unique keys serve every query
    by event and status (migration 0015 dropped the two single-column ones)."""
    with app.app_context():
        indexes = {index["name"] for index in inspect(db.engine).get_indexes("registration")}
    assert "ix_registration_event_status_registered_at" in indexes
    assert not indexes & {"ix_registration_event_id", "ix_registration_status"}
