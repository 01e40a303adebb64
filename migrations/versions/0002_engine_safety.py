"""engine safety: why a change waits (outbox.cause), when a record's previous content was last seen, where
and when each agreed value was written (field_bases), and a connector's last write failure (scan_cursors)

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
    with op.batch_alter_table('field_bases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('edited_lo', syncd.store.tables.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('edited_hi', syncd.store.tables.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('scan_cursors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_complete_started_at', syncd.store.tables.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('last_write_error', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('last_write_error_at', syncd.store.tables.UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('scan_cursors', schema=None) as batch_op:
        batch_op.drop_column('last_write_error_at')
        batch_op.drop_column('last_write_error')
        batch_op.drop_column('last_complete_started_at')
    with op.batch_alter_table('field_bases', schema=None) as batch_op:
        batch_op.drop_column('edited_hi')
        batch_op.drop_column('edited_lo')
        batch_op.drop_column('source')
    with op.batch_alter_table('remote_records', schema=None) as batch_op:
        batch_op.drop_column('prev_seen_at')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_status_cause')
        batch_op.drop_column('cause')
