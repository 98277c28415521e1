"""counts tables, post positions, indexes: pages whose cost does not grow with the data

Revision ID: e16d263e3764
Revises: cfb0802e1cdf
Create Date: 2026-11-30 12:00:00.000000

- activity_count and activity_week: what the activity log says per learner and e-tivity, and
  per learner and week, kept by progress.evidence as it writes the log; filled here from the
  log (the same sums as `progress.counts.rebuild`).
- reply_pair: shown replies from one person to another per cohort (the interaction map),
  and thread_read: how many posts of a thread a reader was shown and before which position
  they were shown all; both kept by discussions.counts, filled here from posts and reads.
- post.position: a post's place in its thread from 0, numbered here in id order; unique per
  thread, so a page of a thread is a range of positions.
- indexes: activity by (cohort, user, e-tivity) and by post; a thread's hidden or withdrawn
  posts; post reads by (reader, thread). Activity's cohort index and post's thread index are
  dropped: the new ones start with the same column.

Nothing here rebuilds a table on SQLite (columns and indexes only); the new tables are
WITHOUT ROWID there, so a cohort's rows are one range of the key. About two minutes on a
SQLite database of a million posts.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e16d263e3764'
down_revision = 'cfb0802e1cdf'
branch_labels = None
depends_on = None

NOT_SHOWN = 'hidden_at IS NOT NULL OR deleted_at IS NOT NULL'

COUNTS = """
INSERT INTO activity_count (cohort_id, user_id, etivity_id, observe, interact, initiate, last_at)
SELECT cohort_id, user_id, etivity_id,
       COUNT(DISTINCT CASE WHEN voided_at IS NULL AND kind = 'observe' THEN post_id END),
       COUNT(DISTINCT CASE WHEN voided_at IS NULL AND kind = 'interact' THEN peer_id END),
       COUNT(DISTINCT CASE WHEN voided_at IS NULL AND kind = 'initiate' THEN post_id END),
       MAX(created_at)
FROM activity GROUP BY cohort_id, user_id, etivity_id
"""

# A row for each week with any evidence; voided evidence is left out of the sums (a week
# whose evidence was all voided keeps its row, at 0, as it would have if kept all along).
WEEKS = """
INSERT INTO activity_week (cohort_id, user_id, week, observe, interact, initiate)
SELECT cohort_id, user_id, {week} AS monday,
       SUM(CASE WHEN voided_at IS NULL AND kind = 'observe' THEN 1 ELSE 0 END),
       SUM(CASE WHEN voided_at IS NULL AND kind = 'interact' THEN 1 ELSE 0 END),
       SUM(CASE WHEN voided_at IS NULL AND kind = 'initiate' THEN 1 ELSE 0 END)
FROM activity GROUP BY cohort_id, user_id, monday
"""
# The Monday of a stored (naive UTC) time: SQLite from the date part of its text, so a time a
# microsecond before midnight is not rounded into the next day.
WEEK = {'sqlite': "date(substr(created_at, 1, 10), 'weekday 0', '-6 days')",
        'postgresql': "CAST(date_trunc('week', created_at) AS DATE)"}

# A row for each pair with any reply, counting the shown ones.
PAIRS = """
INSERT INTO reply_pair (cohort_id, from_id, to_id, replies)
SELECT thread.cohort_id, post.author_id, parent.author_id,
       SUM(CASE WHEN post.hidden_at IS NULL AND post.deleted_at IS NULL THEN 1 ELSE 0 END)
FROM post JOIN post AS parent ON parent.id = post.parent_id
JOIN thread ON thread.id = post.thread_id
WHERE post.author_id != parent.author_id
GROUP BY thread.cohort_id, post.author_id, parent.author_id
"""

# A reader's reads in position order: while none is missing, each one's position equals its
# rank, so the count of those is where the first gap starts.
THREAD_READS = """
INSERT INTO thread_read (user_id, thread_id, reads, through)
SELECT user_id, thread_id, COUNT(*), SUM(CASE WHEN position = seq THEN 1 ELSE 0 END)
FROM (SELECT post_read.user_id, post_read.thread_id, post.position,
             ROW_NUMBER() OVER (PARTITION BY post_read.user_id, post_read.thread_id
                                ORDER BY post.position) - 1 AS seq
      FROM post_read JOIN post ON post.id = post_read.post_id) AS ranked
GROUP BY user_id, thread_id
"""

POSITIONS = """
UPDATE post SET position = numbered.position
FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY thread_id ORDER BY id) - 1 AS position
      FROM post) AS numbered
WHERE numbered.id = post.id AND numbered.position != 0
"""


def upgrade():
    op.create_table('activity_count',
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('etivity_id', sa.Integer(), nullable=False),
    sa.Column('observe', sa.Integer(), nullable=False),
    sa.Column('interact', sa.Integer(), nullable=False),
    sa.Column('initiate', sa.Integer(), nullable=False),
    sa.Column('last_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_activity_count_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['etivity_id'], ['etivity.id'], name=op.f('fk_activity_count_etivity_id_etivity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_activity_count_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('cohort_id', 'user_id', 'etivity_id', name=op.f('pk_activity_count')),
    sqlite_with_rowid=False,
    )
    op.create_table('activity_week',
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('observe', sa.Integer(), nullable=False),
    sa.Column('interact', sa.Integer(), nullable=False),
    sa.Column('initiate', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_activity_week_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_activity_week_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('cohort_id', 'user_id', 'week', name=op.f('pk_activity_week')),
    sqlite_with_rowid=False,
    )
    op.create_table('reply_pair',
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('from_id', sa.Integer(), nullable=False),
    sa.Column('to_id', sa.Integer(), nullable=False),
    sa.Column('replies', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_reply_pair_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['from_id'], ['users.id'], name=op.f('fk_reply_pair_from_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_id'], ['users.id'], name=op.f('fk_reply_pair_to_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('cohort_id', 'from_id', 'to_id', name=op.f('pk_reply_pair')),
    sqlite_with_rowid=False,
    )
    with op.batch_alter_table('reply_pair', schema=None) as batch_op:
        batch_op.create_index('ix_reply_pair_to', ['cohort_id', 'to_id'], unique=False)
    op.create_table('thread_read',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('reads', sa.Integer(), nullable=False),
    sa.Column('through', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['thread_id'], ['thread.id'], name=op.f('fk_thread_read_thread_id_thread'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_thread_read_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'thread_id', name=op.f('pk_thread_read')),
    sqlite_with_rowid=False,
    )

    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_cohort_id'))
        batch_op.create_index('ix_activity_cohort_user', ['cohort_id', 'user_id', 'etivity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_post_id'), ['post_id'], unique=False)

    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.add_column(sa.Column('position', sa.Integer(), server_default='0', nullable=False))

    bind = op.get_bind()
    op.execute(POSITIONS)
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_post_thread_id'))
        batch_op.create_index('uq_post_thread_position', ['thread_id', 'position'], unique=True)
        batch_op.create_index('ix_post_not_shown', ['thread_id'], unique=False,
                              sqlite_where=sa.text(NOT_SHOWN), postgresql_where=sa.text(NOT_SHOWN))

    with op.batch_alter_table('post_read', schema=None) as batch_op:
        batch_op.create_index('ix_post_read_user_thread', ['user_id', 'thread_id'], unique=False)

    op.execute(COUNTS)
    op.execute(WEEKS.format(week=WEEK[bind.dialect.name]))
    op.execute(PAIRS)
    op.execute(THREAD_READS)


def downgrade():
    with op.batch_alter_table('post_read', schema=None) as batch_op:
        batch_op.drop_index('ix_post_read_user_thread')

    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.drop_index('ix_post_not_shown', sqlite_where=sa.text(NOT_SHOWN),
                            postgresql_where=sa.text(NOT_SHOWN))
        batch_op.drop_index('uq_post_thread_position')
        batch_op.create_index(batch_op.f('ix_post_thread_id'), ['thread_id'], unique=False)
        batch_op.drop_column('position')

    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_post_id'))
        batch_op.drop_index('ix_activity_cohort_user')
        batch_op.create_index(batch_op.f('ix_activity_cohort_id'), ['cohort_id'], unique=False)

    with op.batch_alter_table('reply_pair', schema=None) as batch_op:
        batch_op.drop_index('ix_reply_pair_to')

    op.drop_table('thread_read')
    op.drop_table('reply_pair')
    op.drop_table('activity_week')
    op.drop_table('activity_count')
