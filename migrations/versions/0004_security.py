"""security: when a registration's confirmation was last sent again (at most hourly)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registration') as batch_op:
        batch_op.add_column(
            sa.Column('confirmation_resent_at', sa.DateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table('registration') as batch_op:
        batch_op.drop_column('confirmation_resent_at')
