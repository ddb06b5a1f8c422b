"""register filings: a station's month of the 事件处置登记表 with its narrative (运行工作情况,
存在问题, 工作建议) and who filed it (报送) when

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-04 21:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'register_filings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('station_id', sa.String(length=64), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('work', sa.Text(), nullable=False),
        sa.Column('problems', sa.Text(), nullable=False),
        sa.Column('suggestions', sa.Text(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by', sa.String(length=40), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('filed_at', sa.DateTime(), nullable=True),
        sa.Column('filed_by', sa.String(length=40), nullable=True),
        sa.Column('filed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by_id'], ['staff.id'], name=op.f('fk_register_filings_updated_by_id_staff')),
        sa.ForeignKeyConstraint(['filed_by_id'], ['staff.id'], name=op.f('fk_register_filings_filed_by_id_staff')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_register_filings')),
        sa.UniqueConstraint('station_id', 'month', name='uq_register_filings_station_month'),
    )
    op.create_index(op.f('ix_register_filings_month'), 'register_filings', ['month'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_register_filings_month'), table_name='register_filings')
    op.drop_table('register_filings')
