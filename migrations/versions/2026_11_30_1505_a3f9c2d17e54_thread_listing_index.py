"""threads: an index for an e-tivity's list of conversations

The e-tivity page lists a cohort's conversations of one e-tivity, pinned first, newest
activity next. With only an index on cohort_id, the database read every thread of the cohort
and sorted them; on (cohort_id, etivity_id, pinned, last_post_at) it reads one page's worth.
The new index starts with cohort_id, so it replaces the one on cohort_id alone.

Revision ID: a3f9c2d17e54
Revises: c8d2e5f1a9b4
Create Date: 2026-11-30 15:05:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a3f9c2d17e54'
down_revision = 'c8d2e5f1a9b4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.create_index('ix_thread_listing',
                              ['cohort_id', 'etivity_id', 'pinned', 'last_post_at'], unique=False)
        batch_op.drop_index('ix_thread_cohort_id')


def downgrade():
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.create_index('ix_thread_cohort_id', ['cohort_id'], unique=False)
        batch_op.drop_index('ix_thread_listing')
