"""staff two-factor: a TOTP secret and recovery code hashes per account

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 23:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff_user') as batch:
        batch.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('recovery_code_hashes', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('staff_user') as batch:
        batch.drop_column('recovery_code_hashes')
        batch.drop_column('totp_secret')
