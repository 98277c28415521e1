"""The discussions' counts tables, kept as posts and reads are written so that pages read a
row instead of counting every post or read:

- `ReplyPair`, who replied to whom: each person's shown replies to another's posts in a
  cohort (the interaction map). A reply counts while it is shown and answers someone else;
  whatever makes a reply start or stop being shown calls `reply_shown_changed` in the same
  transaction: writing it (`services.reply`), withdrawing it (`services.delete_post`),
  hiding it and showing it again (`facilitate.moderation`).
- `ThreadRead`, how far a reader has read a thread: how many of its posts they were shown
  and the position before which they were shown every one (`reads_added`, from
  `services`, the one place that records reads).

`rebuild_cohort` counts a cohort's rows again from its posts and reads.
"""

from sqlalchemy import case, delete, func, insert, select
from sqlalchemy.orm import aliased

from ..database import insert_or_merge
from ..extensions import db
from ..progress.counts import lock_while_counting
from .models import Post, PostRead, ReplyPair, Thread, ThreadRead
from .queries import shown


def reply_shown_changed(post: Post, cohort_id: int, delta: int) -> None:
    """`post` was just shown (`delta` +1: written, shown again) or stopped being shown (-1:
    withdrawn, hidden)."""
    if post.parent_id is None:
        return
    to_id = db.session.scalar(select(Post.author_id).where(Post.id == post.parent_id))
    if to_id is None or to_id == post.author_id:
        return
    table = ReplyPair.__table__
    stmt = insert_or_merge(table).values(cohort_id=cohort_id, from_id=post.author_id,
                                         to_id=to_id, replies=delta)
    db.session.execute(stmt.on_conflict_do_update(
        index_elements=[table.c.cohort_id, table.c.from_id, table.c.to_id],
        set_={"replies": table.c.replies + stmt.excluded.replies}))


def read_through(user_id: int, thread_id: int):
    """SQL for the position from which the thread may hold posts this reader has not been
    shown: before it, they were shown every one. Not correlated, so a query can use it as
    the start of a range of positions."""
    return func.coalesce(select(ThreadRead.through).where(
        ThreadRead.user_id == user_id, ThreadRead.thread_id == thread_id,
    ).scalar_subquery(), 0)


def reads_added(user_id: int, thread_id: int, added: int) -> None:
    """`added` posts of the thread were just shown to the reader for the first time. Moves
    `through` past them and any run of posts read before: the walk starts where the last one
    stopped, so over time each post is passed once per reader."""
    seen = select(PostRead.post_id).where(PostRead.post_id == Post.id,
                                          PostRead.user_id == user_id)
    last = select(func.max(Post.position)).where(Post.thread_id == thread_id)
    # The first in position order, not min(): PostgreSQL then walks the index and stops at
    # the first post not shown, where min() made it hash every later post of the thread
    # against the reader's reads (23 ms, not 0.2, at 20,000 posts).
    first = (select(Post.position)
             .where(Post.thread_id == thread_id, Post.position >= read_through(user_id, thread_id),
                    ~seen.exists())
             .order_by(Post.position).limit(1))
    first_unseen = db.session.scalar(select(func.coalesce(
        first.scalar_subquery(), last.scalar_subquery() + 1)))  # all read: past the last post
    table = ThreadRead.__table__
    stmt = insert_or_merge(table).values(user_id=user_id, thread_id=thread_id, reads=added,
                                         through=first_unseen)
    db.session.execute(stmt.on_conflict_do_update(
        index_elements=[table.c.user_id, table.c.thread_id],
        set_={"reads": table.c.reads + stmt.excluded.reads,
              "through": case((stmt.excluded.through > table.c.through, stmt.excluded.through),
                              else_=table.c.through)}))


# ---- rebuilding --------------------------------------------------------------------------

def pairs_from_posts(cohort_id: int):
    """(cohort, from, to, shown replies) for a cohort, counted from its posts: a row for each
    pair with any reply, as `reply_shown_changed` leaves them."""
    parent = aliased(Post)
    return (select(Thread.cohort_id, Post.author_id, parent.author_id,
                   func.sum(case((shown(), 1), else_=0)))
            .join(parent, Post.parent_id == parent.id)
            .join(Thread, Thread.id == Post.thread_id)
            .where(Thread.cohort_id == cohort_id, Post.author_id != parent.author_id)
            .group_by(Thread.cohort_id, Post.author_id, parent.author_id))


def thread_reads_from_reads(cohort_id: int):
    """(user, thread, reads, through) for a cohort's threads, counted from the reads. A
    reader's reads in position order: while none is missing, each one's position equals
    its rank, so the count of those is where the first gap starts."""
    ranked = (select(PostRead.user_id, PostRead.thread_id, Post.position,
                     (func.row_number().over(partition_by=(PostRead.user_id, PostRead.thread_id),
                                             order_by=Post.position) - 1).label("seq"))
              .join(Post, Post.id == PostRead.post_id)
              .join(Thread, Thread.id == PostRead.thread_id)
              .where(Thread.cohort_id == cohort_id)).subquery()
    return (select(ranked.c.user_id, ranked.c.thread_id, func.count(),
                   func.sum(case((ranked.c.position == ranked.c.seq, 1), else_=0)))
            .group_by(ranked.c.user_id, ranked.c.thread_id))


def rebuild_cohort(cohort_id: int) -> None:
    """Replace one cohort's reply pairs and reads per thread with what its posts and reads
    say, in the caller's transaction."""
    pairs, reads = ReplyPair.__table__, ThreadRead.__table__
    lock_while_counting("post", "post_read")
    db.session.execute(delete(pairs).where(pairs.c.cohort_id == cohort_id))
    db.session.execute(insert(pairs).from_select(
        ["cohort_id", "from_id", "to_id", "replies"], pairs_from_posts(cohort_id)))
    threads = select(Thread.id).where(Thread.cohort_id == cohort_id)
    db.session.execute(delete(reads).where(reads.c.thread_id.in_(threads)))
    db.session.execute(insert(reads).from_select(
        ["user_id", "thread_id", "reads", "through"], thread_reads_from_reads(cohort_id)))
