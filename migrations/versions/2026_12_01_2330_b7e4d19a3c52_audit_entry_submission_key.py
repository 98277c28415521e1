"""facilitate: weaves and nudges keep their form's submission key (sent twice, done once)

The audit entry a weave or a nudge writes holds the key of the form that sent it, unique per
facilitator, so the same form sent twice (a double click, or again after Back) stores the
weave and sends the nudge once (facilitate/audit.py: find_submission). Existing entries have
none.

Revision ID: b7e4d19a3c52
Revises: 84fce178868d
Create Date: 2026-12-01 23:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7e4d19a3c52'
down_revision = '84fce178868d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_audit_entry_actor_id'),
                                          ['actor_id', 'submission_key'])


def downgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_constraint('uq_audit_entry_actor_id', type_='unique')
        batch_op.drop_column('submission_key')
