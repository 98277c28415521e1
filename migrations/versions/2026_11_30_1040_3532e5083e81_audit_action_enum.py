"""audit action enum: audit_entry.action holds one of AuditAction's values

Revision ID: 3532e5083e81
Revises: 39587b365031
Create Date: 2026-11-30 10:27:44.887216

The log only ever stored these values, so rows keep theirs. Before the type changes, each
value is tidied the way a hand-edited row might differ (case, spaces, "_" for "-"); a value
that still isn't an action stops the upgrade and is named, since the app could not read it.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3532e5083e81'
down_revision = '39587b365031'
branch_labels = None
depends_on = None

# AuditAction's values when this migration was written (migrations don't import the app).
ACTIONS = ('open', 'state', 'settings', 'welcome', 'key', 'invite', 'invite-link',
           'invite-revoked', 'staff', 'remove', 'hide', 'show', 'pinned', 'locked', 'weave',
           'open-early', 'complete-by-hand', 'nudge')
ACTION_ENUM = sa.Enum(*ACTIONS, name='auditaction', native_enum=False, length=20)

audit_entry = sa.table('audit_entry', sa.column('action', sa.String(40)))


def _convert_existing_values():
    connection = op.get_bind()
    found = connection.scalars(sa.select(audit_entry.c.action).distinct()).all()
    tidied = {value: (value or '').strip().lower().replace('_', '-').replace(' ', '-')
              for value in found}
    unknown = sorted(value for value, tidy in tidied.items() if tidy not in ACTIONS)
    if unknown:
        raise RuntimeError(
            f"audit_entry.action holds values that are not audit actions: {unknown!r}. "
            f"Change those rows to one of {ACTIONS!r}, then upgrade again.")
    for value, tidy in tidied.items():
        if tidy != value:
            connection.execute(audit_entry.update().where(audit_entry.c.action == value)
                               .values(action=tidy))


def upgrade():
    _convert_existing_values()
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.alter_column('action',
               existing_type=sa.VARCHAR(length=40),
               type_=ACTION_ENUM,
               existing_nullable=False)


def downgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.alter_column('action',
               existing_type=ACTION_ENUM,
               type_=sa.VARCHAR(length=40),
               existing_nullable=False)
