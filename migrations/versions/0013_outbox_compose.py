"""outbox rows that record what to compose: the body is written by the delivering worker

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 08:10:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.add_column(sa.Column("compose", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.drop_column("compose")
