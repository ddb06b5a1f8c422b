"""supervision: the 督办 of a street supervisor on a case, with its written reply
(forms_app/cases/supervision_store.py); one unfinished per case (a partial unique index)

Revision ID: 0014
Revises: 0017
Create Date: 2026-12-04 21:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'supervisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('station_id', sa.String(length=64), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('instruction', sa.Text(), nullable=False),
        sa.Column('deadline', sa.Date(), nullable=False),
        sa.Column('issued_at', sa.DateTime(), nullable=False),
        sa.Column('issued_by_id', sa.Integer(), nullable=True),
        sa.Column('issued_by', sa.String(length=40), nullable=False),
        sa.Column('reply', sa.Text(), nullable=True),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('answered_by', sa.String(length=40), nullable=True),
        sa.Column('rounds', sa.Integer(), server_default='0', nullable=False),
        sa.Column('sent_back_at', sa.DateTime(), nullable=True),
        sa.Column('send_back_reason', sa.Text(), nullable=True),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.Column('closed_by', sa.String(length=40), nullable=True),
        sa.Column('close_note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_supervisions_case_id_cases'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['issued_by_id'], ['staff.id'], name=op.f('fk_supervisions_issued_by_id_staff')),
        sa.ForeignKeyConstraint(['answered_by_id'], ['staff.id'], name=op.f('fk_supervisions_answered_by_id_staff')),
        sa.ForeignKeyConstraint(['closed_by_id'], ['staff.id'], name=op.f('fk_supervisions_closed_by_id_staff')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_supervisions')),
    )
    op.create_index(op.f('ix_supervisions_case_id'), 'supervisions', ['case_id'], unique=False)
    op.create_index(op.f('ix_supervisions_station_id'), 'supervisions', ['station_id'], unique=False)
    op.create_index(op.f('ix_supervisions_state'), 'supervisions', ['state'], unique=False)
    op.create_index(op.f('ix_supervisions_issued_at'), 'supervisions', ['issued_at'], unique=False)
    # one unfinished 督办 per case: a partial unique index, the same on SQLite and PostgreSQL
    op.create_index('uq_supervisions_unfinished_case', 'supervisions', ['case_id'], unique=True,
                    sqlite_where=sa.text('closed_at IS NULL'), postgresql_where=sa.text('closed_at IS NULL'))


def downgrade():
    op.drop_index('uq_supervisions_unfinished_case', table_name='supervisions')
    op.drop_index(op.f('ix_supervisions_issued_at'), table_name='supervisions')
    op.drop_index(op.f('ix_supervisions_state'), table_name='supervisions')
    op.drop_index(op.f('ix_supervisions_station_id'), table_name='supervisions')
    op.drop_index(op.f('ix_supervisions_case_id'), table_name='supervisions')
    op.drop_table('supervisions')
