"""outbox: notifications written with the action that causes them, and every delivery attempt

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 14:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uid', sa.String(length=32), nullable=False),
        sa.Column('event', sa.String(length=40), nullable=False),
        sa.Column('channel', sa.String(length=20), nullable=False),
        sa.Column('target', sa.String(length=300), nullable=False),
        sa.Column('recipient_kind', sa.String(length=20), nullable=False),
        sa.Column('recipient_name', sa.String(length=100), nullable=False),
        sa.Column('recipient_address', sa.String(length=300), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('case_number', sa.String(length=20), nullable=True),
        sa.Column('appointment_number', sa.String(length=20), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
        sa.Column('claimed_by', sa.String(length=64), nullable=True),
        sa.Column('claimed_until', sa.DateTime(), nullable=True),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('last_error', sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
        sa.UniqueConstraint('uid', name=op.f('uq_notifications_uid')),
    )
    op.create_index('ix_notifications_due', 'notifications', ['status', 'next_attempt_at'], unique=False)
    op.create_table(
        'notification_attempts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('notification_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('sender', sa.String(length=64), nullable=False),
        sa.Column('ok', sa.Boolean(), nullable=False),
        sa.Column('error', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'],
                                name=op.f('fk_notification_attempts_notification_id_notifications'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_attempts')),
    )
    op.create_index(op.f('ix_notification_attempts_notification_id'), 'notification_attempts', ['notification_id'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_notification_attempts_notification_id'), table_name='notification_attempts')
    op.drop_table('notification_attempts')
    op.drop_index('ix_notifications_due', table_name='notifications')
    op.drop_table('notifications')
