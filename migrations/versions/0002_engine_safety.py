"""engine safety: why a change waits (outbox.cause), and when a record's previous content was last seen

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import syncd.store.tables

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cause', sa.String(length=32), nullable=True))
        batch_op.create_index('ix_outbox_status_cause', ['status', 'cause'], unique=False)
    with op.batch_alter_table('remote_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prev_seen_at', syncd.store.tables.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('remote_records', schema=None) as batch_op:
        batch_op.drop_column('prev_seen_at')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_status_cause')
        batch_op.drop_column('cause')
