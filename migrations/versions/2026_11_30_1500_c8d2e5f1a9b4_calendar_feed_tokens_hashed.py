"""calendar feed tokens kept hashed (sha256, as API tokens are)

Revision ID: c8d2e5f1a9b4
Revises: a3f6c1d8e2b7
Create Date: 2026-11-30 15:00:00

"""
import hashlib

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c8d2e5f1a9b4'
down_revision = 'a3f6c1d8e2b7'
branch_labels = None
depends_on = None


def upgrade():
    # The links people made keep working: each token is replaced by its hash.
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_hash', sa.String(length=64), nullable=True))
    connection = op.get_bind()
    feeds = sa.table('calendar_feed', sa.column('id', sa.Integer()),
                     sa.column('token', sa.String()), sa.column('token_hash', sa.String()))
    for feed_id, token in connection.execute(sa.select(feeds.c.id, feeds.c.token)).all():
        connection.execute(sa.update(feeds).where(feeds.c.id == feed_id).values(
            token_hash=hashlib.sha256(token.encode()).hexdigest()))
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.drop_constraint('uq_calendar_feed_token', type_='unique')
        batch_op.drop_column('token')
        batch_op.alter_column('token_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_calendar_feed_token_hash'),
                                          ['token_hash'])


def downgrade():
    # A hash can't be turned back into its link: the links stop, people make new ones.
    op.execute("DELETE FROM calendar_feed")
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.drop_constraint('uq_calendar_feed_token_hash', type_='unique')
        batch_op.drop_column('token_hash')
        batch_op.add_column(sa.Column('token', sa.String(length=64), nullable=False))
        batch_op.create_unique_constraint(batch_op.f('uq_calendar_feed_token'), ['token'])
