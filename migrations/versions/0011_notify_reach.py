"""notifications reach people: a longer detail for e-mail and webhooks, a once-only key for
scheduled messages, staff contacts, and a resident's choice to get only the essential messages

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications') as batch:
        batch.add_column(sa.Column('detail', sa.Text(), nullable=True))
        batch.add_column(sa.Column('once_key', sa.String(length=120), nullable=True))
        batch.create_unique_constraint(batch.f('uq_notifications_once_key'), ['once_key'])
    with op.batch_alter_table('staff') as batch:
        batch.add_column(sa.Column('contact', sa.String(length=300), nullable=True))
    with op.batch_alter_table('cases') as batch:
        batch.add_column(sa.Column('quiet', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('appointments') as batch:
        batch.add_column(sa.Column('quiet', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('appointments') as batch:
        batch.drop_column('quiet')
    with op.batch_alter_table('cases') as batch:
        batch.drop_column('quiet')
    with op.batch_alter_table('staff') as batch:
        batch.drop_column('contact')
    with op.batch_alter_table('notifications') as batch:
        batch.drop_constraint(batch.f('uq_notifications_once_key'), type_='unique')
        batch.drop_column('once_key')
        batch.drop_column('detail')
