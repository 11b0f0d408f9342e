"""programme: sessions, speakers' profiles on authors, personal agendas

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    # Speakers are authors with a profile: one record per person.
    with op.batch_alter_table('author') as batch:
        batch.add_column(sa.Column('role', sa.String(length=120), nullable=False, server_default=''))
        batch.add_column(sa.Column('organisation', sa.String(length=120), nullable=False, server_default=''))
        batch.add_column(sa.Column('links', sa.Text(), nullable=False, server_default=''))

    op.create_table('programme_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('room', sa.String(length=200), nullable=False),
    sa.Column('description_md', sa.Text(), nullable=False),
    sa.Column('description_html', sa.Text(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('seats_taken', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('change_pending_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_programme_session_event_id', 'programme_session', ['event_id'])
    op.create_index('ix_programme_session_starts_at', 'programme_session', ['starts_at'])

    op.create_table('session_speaker',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['programme_session.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['author.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'author_id')
    )

    op.create_table('agenda_choice',
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('chosen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['programme_session.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('registration_id', 'session_id')
    )
    op.create_index('ix_agenda_choice_session_id', 'agenda_choice', ['session_id'])


def downgrade():
    op.drop_index('ix_agenda_choice_session_id', table_name='agenda_choice')
    op.drop_table('agenda_choice')
    op.drop_table('session_speaker')
    op.drop_index('ix_programme_session_starts_at', table_name='programme_session')
    op.drop_index('ix_programme_session_event_id', table_name='programme_session')
    op.drop_table('programme_session')
    with op.batch_alter_table('author') as batch:
        batch.drop_column('links')
        batch.drop_column('organisation')
        batch.drop_column('role')
