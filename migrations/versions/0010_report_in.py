"""report-in: a department's private link per dispatch, kept as the SHA-256 of its token

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'report_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('department', sa.String(length=64), nullable=False),
        sa.Column('dispatched_at', sa.DateTime(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('ended_why', sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_report_links_case_id_cases'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_links')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_report_links_token_hash')),
    )
    op.create_index(op.f('ix_report_links_case_id'), 'report_links', ['case_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_report_links_case_id'), table_name='report_links')
    op.drop_table('report_links')
