"""media: the image library (items, variants, content-addressed blobs) and cover images

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

IMAGE_OWNERS = ('article', 'event', 'author')


def upgrade():
    op.create_table('media_blob',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sha256')
    )
    op.create_table('media',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('original_sha256', sa.String(length=64), nullable=False),
    sa.Column('original_format', sa.String(length=10), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('alt', sa.String(length=300), nullable=False),
    sa.Column('decorative', sa.Boolean(), nullable=False),
    sa.Column('caption', sa.Text(), nullable=False),
    sa.Column('credit', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['original_sha256'], ['media_blob.sha256']),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('media_variant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('media_id', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=10), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['media_id'], ['media.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sha256'], ['media_blob.sha256']),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_media_variant_media_id', 'media_variant', ['media_id'])
    op.create_index('ix_media_variant_sha256', 'media_variant', ['sha256'])
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for table in IMAGE_OWNERS:
        if sqlite:
            # SQLite adds a column with its REFERENCES in place; batch mode would rebuild the
            # table, and dropping the old one cascades (article_tag, registrations).
            op.execute(f'ALTER TABLE {table} ADD COLUMN image_id INTEGER REFERENCES media (id)')
        else:
            op.add_column(table, sa.Column('image_id', sa.Integer(), nullable=True))
            op.create_foreign_key(f'fk_{table}_image_id_media', table, 'media', ['image_id'], ['id'])
        op.create_index(f'ix_{table}_image_id', table, ['image_id'])


def downgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for table in IMAGE_OWNERS:
        op.drop_index(f'ix_{table}_image_id', table_name=table)
        if sqlite:
            op.execute(f'ALTER TABLE {table} DROP COLUMN image_id')
        else:
            op.drop_constraint(f'fk_{table}_image_id_media', table, type_='foreignkey')
            op.drop_column(table, 'image_id')
    op.drop_index('ix_media_variant_sha256', table_name='media_variant')
    op.drop_index('ix_media_variant_media_id', table_name='media_variant')
    op.drop_table('media_variant')
    op.drop_table('media')
    op.drop_table('media_blob')
