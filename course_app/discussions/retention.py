"""How long a withdrawn post keeps its words.

Withdrawing a post hides it at once ("Withdrawn by its author") but keeps its text for a
while, so a withdrawal in the heat of a moderation case can still be looked into. After
WITHDRAWN_POST_DAYS (config; 30 by default) `purge_withdrawn` blanks it: the post's text,
its earlier versions and the quotes weaves took from it. The post itself stays (an empty,
withdrawn post), so its thread, the replies to it and everyone's progress stay as they were.
The `purge-withdrawn` command runs it; run it daily (cron), any number of times.
"""

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from ..extensions import db
from .models import Post, PostRevision
from .weaves import Citation


def purge_withdrawn(now: datetime, keep_days: int) -> tuple[int, int]:
    """Blank every post withdrawn more than `keep_days` days before `now`. Returns (posts
    blanked, earlier versions removed); running it again finds nothing more. Flushes."""
    cutoff = now - timedelta(days=keep_days)
    due = select(Post.id).where(Post.deleted_at.is_not(None), Post.deleted_at <= cutoff)
    revisions = db.session.execute(
        delete(PostRevision).where(PostRevision.post_id.in_(due))).rowcount
    db.session.execute(update(Citation).where(Citation.cited_post_id.in_(due),
                                              Citation.quote != "").values(quote=""))
    blanked = db.session.execute(
        update(Post).where(Post.id.in_(due), Post.body != "").values(body="")).rowcount
    db.session.flush()
    db.session.expire_all()
    return blanked, revisions
