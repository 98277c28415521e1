"""accounts: deleted accounts keep an emptied row (users.deleted_at)

A person who deletes their account keeps no name, email or password here; the row stays so
their posts (shown as "A former learner") and everyone's progress stay whole.

Revision ID: 7d41c2a9e8b5
Revises: e16d263e3764
Create Date: 2026-11-30 13:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7d41c2a9e8b5'
down_revision = 'e16d263e3764'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')
