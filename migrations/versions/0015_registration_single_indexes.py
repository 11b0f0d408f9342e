"""drop registration's event_id and status indexes: the export index and the unique key cover them

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 17:10:00

"""

from alembic import op


revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    # (event_id, status, registered_at, id) and unique (event_id, email_normalized) both begin
    # with event_id, and no query filters on status without the event: two indexes fewer to
    # write on every sign-up, promotion and cancellation.
    op.drop_index("ix_registration_event_id", table_name="registration")
    op.drop_index("ix_registration_status", table_name="registration")


def downgrade():
    op.create_index("ix_registration_status", "registration", ["status"])
    op.create_index("ix_registration_event_id", "registration", ["event_id"])
