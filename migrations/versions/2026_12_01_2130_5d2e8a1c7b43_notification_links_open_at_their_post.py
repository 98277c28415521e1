"""notifications: links to a post open the thread at that post

A thread's plain address opens at the reader's first unread post, and a browser never sends
the #fragment, so a notification linking to /cohorts/1/threads/9#post-102 opened at some
older unread post instead of the reply it announced. Links are now made with `?post=`
(discussions.reading.post_path); this writes the stored ones the same way. Downgrading
leaves them: the old pages read `?post=` as nothing, and the anchor still names the post.

Revision ID: 5d2e8a1c7b43
Revises: f266fd228979
Create Date: 2026-12-01 21:30:00.000000

"""
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5d2e8a1c7b43'
down_revision = 'f266fd228979'
branch_labels = None
depends_on = None

# As discussions.reading.post_path writes them (migrations don't import the app).
OLD = re.compile(r"(/cohorts/\d+/threads/\d+)#post-(\d+)")


def upgrade():
    notification = sa.table("notification", sa.column("id", sa.Integer),
                            sa.column("link", sa.String))
    connection = op.get_bind()
    rows = connection.execute(sa.select(notification.c.id, notification.c.link)
                              .where(notification.c.link.like("%#post-%"))).all()
    for id_, link in rows:
        found = OLD.fullmatch(link or "")
        if found:
            connection.execute(notification.update().where(notification.c.id == id_).values(
                link=f"{found[1]}?post={found[2]}#post-{found[2]}"))


def downgrade():
    pass
