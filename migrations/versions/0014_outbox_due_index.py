"""the outbox claim's index: pending rows in the order workers take them

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 14:00:00

"""

from alembic import op


revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    # Its first column is the status, so it also serves everything the status index did.
    op.create_index(
        "ix_outbox_message_due", "outbox_message", ["status", "next_attempt_at", "id"]
    )
    op.drop_index("ix_outbox_message_status", table_name="outbox_message")


def downgrade():
    op.create_index("ix_outbox_message_status", "outbox_message", ["status"])
    op.drop_index("ix_outbox_message_due", table_name="outbox_message")
