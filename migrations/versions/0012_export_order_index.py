"""an index in the attendee export's order: each status of an event by registration time

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 09:00:00

"""

from alembic import op


revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_registration_event_status_registered_at",
        "registration",
        ["event_id", "status", "registered_at", "id"],
    )


def downgrade():
    op.drop_index("ix_registration_event_status_registered_at", table_name="registration")
