"""privacy: consent versions, purge and anonymisation markers, consent texts

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 10:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "consent_text",
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("version"),
    )
    with op.batch_alter_table("registration") as batch_op:
        batch_op.add_column(sa.Column("consent_version", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("marketing_consent_version", sa.String(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column("sensitive_purged_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_registration_anonymised_at", ["anonymised_at"])
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.add_column(sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.drop_column("purged_at")
    with op.batch_alter_table("registration") as batch_op:
        batch_op.drop_index("ix_registration_anonymised_at")
        batch_op.drop_column("anonymised_at")
        batch_op.drop_column("sensitive_purged_at")
        batch_op.drop_column("marketing_consent_version")
        batch_op.drop_column("consent_version")
    op.drop_table("consent_text")
