"""handlers and officers: a case's 承办人 (a staff account the owner hands it to) and the roster
officers named on a case

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-04 13:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases') as batch:
        batch.add_column(sa.Column('handler_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f('fk_cases_handler_id_staff'), 'staff', ['handler_id'], ['id'])
        batch.create_index(batch.f('ix_cases_handler_id'), ['handler_id'], unique=False)
    op.create_table(
        'case_officers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('officer_id', sa.String(length=64), nullable=False),
        sa.Column('station_id', sa.String(length=64), nullable=False),
        sa.Column('named_at', sa.DateTime(), nullable=False),
        sa.Column('named_by', sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_officers_case_id_cases'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_officers')),
        sa.UniqueConstraint('case_id', 'officer_id', name='uq_case_officers_case_officer'),
    )
    op.create_index(op.f('ix_case_officers_officer_id'), 'case_officers', ['officer_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_case_officers_officer_id'), table_name='case_officers')
    op.drop_table('case_officers')
    with op.batch_alter_table('cases') as batch:
        batch.drop_index(batch.f('ix_cases_handler_id'))
        batch.drop_constraint(batch.f('fk_cases_handler_id_staff'), type_='foreignkey')
        batch.drop_column('handler_id')
