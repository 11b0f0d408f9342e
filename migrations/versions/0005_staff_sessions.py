"""staff sessions, sign-ins, passwords: a per-account session version, a log of sign-in
attempts, a must-change-password flag

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    # Raising session_version ends every session of the account (sign-out, deactivation, a role
    # or password change); existing accounts start at 1 and their current sessions end once.
    op.add_column(
        'staff_user',
        sa.Column('session_version', sa.Integer(), nullable=False, server_default='1'),
    )
    op.add_column(
        'staff_user',
        sa.Column(
            'must_change_password', sa.Boolean(), nullable=False, server_default=sa.false()
        ),
    )

    op.create_table('staff_sign_in',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('login', sa.String(length=120), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('remote_addr', sa.String(length=64), nullable=False),
    sa.Column('known_browser', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['staff_user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_staff_sign_in_created_at', 'staff_sign_in', ['created_at'])


def downgrade():
    op.drop_index('ix_staff_sign_in_created_at', table_name='staff_sign_in')
    op.drop_table('staff_sign_in')
    with op.batch_alter_table('staff_user') as batch:
        batch.drop_column('must_change_password')
        batch.drop_column('session_version')
