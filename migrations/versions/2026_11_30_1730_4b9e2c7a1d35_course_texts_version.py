"""course: texts_version, so the second of two authors editing the course's texts is asked
before their save replaces the other's

Counts the saves of the course's and stages' texts (drafts saved or discarded, publishing,
imports), as etivity.version counts an e-tivity's.

Revision ID: 4b9e2c7a1d35
Revises: 8c1f4a7d2e60
Create Date: 2026-11-30 17:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '4b9e2c7a1d35'
down_revision = '8c1f4a7d2e60'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('texts_version', sa.Integer(), server_default='1',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('texts_version')
