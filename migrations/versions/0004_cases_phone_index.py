"""cases: index on phone and created_at for the repeat check

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 14:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_phone_created_at', ['phone', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_phone_created_at')
