"""console: who retried a change (outbox.retried_by, retried_at) and who resolved a conflict (conflicts.resolved_by)

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import syncd.store.tables

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retried_by', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('retried_at', syncd.store.tables.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('conflicts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resolved_by', sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('conflicts', schema=None) as batch_op:
        batch_op.drop_column('resolved_by')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('retried_at')
        batch_op.drop_column('retried_by')
