"""marketing choice: a person's latest answer about marketing email, by address

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 21:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('marketing_choice',
    sa.Column('email_normalized', sa.String(length=254), nullable=False),
    sa.Column('opted_in', sa.Boolean(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('email_normalized')
    )
    # Registrations made before this table existed: the newest sign-up's answer is the choice.
    op.execute(
        """
        INSERT INTO marketing_choice (email_normalized, opted_in, changed_at, source)
        SELECT r.email_normalized, r.marketing_opt_in, r.registered_at, 'sign-up'
        FROM registration r
        WHERE r.registered_at = (
            SELECT max(r2.registered_at) FROM registration r2
            WHERE r2.email_normalized = r.email_normalized
        )
        AND r.id = (
            SELECT max(r3.id) FROM registration r3
            WHERE r3.email_normalized = r.email_normalized
            AND r3.registered_at = r.registered_at
        )
        """
    )


def downgrade():
    op.drop_table('marketing_choice')
