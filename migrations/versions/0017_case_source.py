"""case source: where each case came from (web, phone, counter, police, sweep, other_system);
every existing case came through the resident's form or the API, so it is web

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-04 21:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases') as batch:
        batch.add_column(sa.Column('source', sa.String(length=16), server_default='web', nullable=False))


def downgrade():
    with op.batch_alter_table('cases') as batch:
        batch.drop_column('source')
