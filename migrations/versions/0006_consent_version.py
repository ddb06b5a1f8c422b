"""consent version: which consent text each booking and case agreed to

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 12:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('appointments', 'cases'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('consent_version', sa.String(length=16), nullable=True))


def downgrade():
    for table in ('cases', 'appointments'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('consent_version')
