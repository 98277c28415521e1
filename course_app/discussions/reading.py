"""Reading discussions: a thread's pages, what a reader has not seen yet, the list of an
e-tivity's threads, and "post first".

Queries only; recording what was shown is `services.mark_shown`. Every "where is this post"
question is a small indexed count, never a load of the whole thread.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased, selectinload

from ..auth.models import User
from ..cohorts.models import Cohort, MemberRole, Membership
from ..courses.models import Etivity
from ..extensions import db
from ..progress.models import Activity, Mode
from .models import Post, PostRead, Thread, ThreadKind

POSTS_PER_PAGE = 20


# ---- a thread's pages ----------------------------------------------------------

def page_for_position(position: int) -> int:
    """The page (from 1) that shows the post at 0-based `position` in its thread."""
    return position // POSTS_PER_PAGE + 1


def posts_page(thread: Thread, number: int | None = None) -> Pagination:
    """One page of the thread's posts, oldest first; the last page when `number` is None or
    past the end."""
    query = (select(Post).where(Post.thread_id == thread.id).order_by(Post.id)
             .options(selectinload(Post.author), selectinload(Post.revisions),
                      selectinload(Post.parent).selectinload(Post.author)))
    if number is not None:
        page = db.paginate(query, page=max(number, 1), per_page=POSTS_PER_PAGE, error_out=False)
        if page.items or page.page == 1:
            return page
    return db.paginate(query, page=last_page(thread), per_page=POSTS_PER_PAGE, error_out=False)


def last_page(thread: Thread) -> int:
    count = db.session.scalar(select(func.count(Post.id)).where(Post.thread_id == thread.id))
    return page_for_position(max(count - 1, 0))


def page_of_post(post: Post) -> int:
    """The page of its thread a post is on: one count of the posts before it."""
    before = db.session.scalar(select(func.count(Post.id)).where(
        Post.thread_id == post.thread_id, Post.id < post.id))
    return page_for_position(before)


def pages_of(posts: Iterable[Post]) -> dict[int, int]:
    """{post id: the page of its thread it is on} for many posts (of any threads) at once."""
    ids = {post.id for post in posts}
    if not ids:
        return {}
    earlier = aliased(Post)
    rows = db.session.execute(
        select(Post.id, func.count(earlier.id))
        .outerjoin(earlier, and_(earlier.thread_id == Post.thread_id, earlier.id < Post.id))
        .where(Post.id.in_(ids)).group_by(Post.id)
    )
    return {post_id: page_for_position(before) for post_id, before in rows}


def opening_post(thread: Thread) -> Post | None:
    """The post that started the thread (replies without a parent answer it)."""
    return db.session.scalar(
        select(Post).where(Post.thread_id == thread.id).order_by(Post.id).limit(1))


# ---- read and unread ------------------------------------------------------------

def read_post_ids(reader: User, posts: Iterable[Post]) -> set[int]:
    """Which of `posts` were already shown to the reader."""
    ids = [post.id for post in posts]
    if not ids:
        return set()
    return set(db.session.scalars(
        select(PostRead.post_id).where(PostRead.user_id == reader.id, PostRead.post_id.in_(ids))
    ))


def first_unread_post(thread: Thread, reader: User) -> Post | None:
    """The thread's first post the reader has not been shown. Hidden and withdrawn posts
    never count as unread (as in `thread_summaries`)."""
    seen = select(PostRead.post_id).where(PostRead.post_id == Post.id,
                                          PostRead.user_id == reader.id)
    return db.session.scalar(
        select(Post).where(Post.thread_id == thread.id, Post.hidden_at.is_(None),
                           Post.deleted_at.is_(None), ~seen.exists())
        .order_by(Post.id).limit(1)
    )


@dataclass(frozen=True)
class ThreadSummary:
    thread: Thread
    replies: int
    unread: int
    last_post_at: datetime


def thread_summaries(cohort: Cohort, etivity: Etivity, reader: User) -> list[ThreadSummary]:
    """The e-tivity's conversation pieces with reply and unread counts, pinned first, newest
    activity next. Weaves (facilitators' summaries) are not pieces: they sit above the list."""
    threads = db.session.scalars(
        select(Thread)
        .where(Thread.cohort_id == cohort.id, Thread.etivity_id == etivity.id,
               Thread.kind != ThreadKind.WEAVE)
        .options(selectinload(Thread.author))
        .order_by(Thread.pinned.desc(), Thread.last_post_at.desc())
    ).all()
    if not threads:
        return []
    ids = [t.id for t in threads]
    totals = dict(db.session.execute(
        select(Post.thread_id, func.count(Post.id))
        .where(Post.thread_id.in_(ids), Post.hidden_at.is_(None), Post.deleted_at.is_(None))
        .group_by(Post.thread_id)
    ).all())
    read = dict(db.session.execute(
        select(PostRead.thread_id, func.count(PostRead.post_id))
        .join(Post, Post.id == PostRead.post_id)
        .where(PostRead.thread_id.in_(ids), PostRead.user_id == reader.id,
               Post.hidden_at.is_(None), Post.deleted_at.is_(None))
        .group_by(PostRead.thread_id)
    ).all())
    return [
        ThreadSummary(t, max(totals.get(t.id, 0) - 1, 0),
                      max(totals.get(t.id, 0) - read.get(t.id, 0), 0), t.last_post_at)
        for t in threads
    ]


# ---- the help thread, "post first", who posted --------------------------------------

def help_thread(cohort: Cohort) -> Thread | None:
    return db.session.scalar(
        select(Thread).where(Thread.cohort_id == cohort.id, Thread.kind == ThreadKind.HELP)
    )


def has_read_help(cohort: Cohort, user: User) -> bool:
    thread = help_thread(cohort)
    return thread is not None and db.session.scalar(
        select(PostRead.post_id).where(PostRead.thread_id == thread.id,
                                       PostRead.user_id == user.id).limit(1)
    ) is not None


def has_started_thread(cohort: Cohort, etivity: Etivity, user: User) -> bool:
    """For "post first": once you have started a piece the others stay visible to you,
    even if your piece is later deleted or hidden."""
    return db.session.scalar(
        select(Activity.id).where(
            Activity.cohort_id == cohort.id, Activity.etivity_id == etivity.id,
            Activity.user_id == user.id, Activity.kind == Mode.INITIATE,
        ).limit(1)
    ) is not None or db.session.scalar(
        select(Thread.id).where(
            Thread.cohort_id == cohort.id, Thread.etivity_id == etivity.id,
            Thread.author_id == user.id,
        ).limit(1)
    ) is not None


def must_post_first(cohort: Cohort, etivity: Etivity, user: User) -> bool:
    """True while a "post first" e-tivity keeps peers' threads from this learner.

    Only learners wait; facilitators and reviewers always see every thread.
    """
    if not etivity.post_first:
        return False
    learner = db.session.scalar(
        select(Membership.id).where(Membership.active_learners(cohort.id),
                                    Membership.user_id == user.id)
    )
    return learner is not None and not has_started_thread(cohort, etivity, user)


def posted_in_cohort(cohort: Cohort, user: User) -> bool:
    return db.session.scalar(
        select(Post.id).join(Thread).where(Thread.cohort_id == cohort.id,
                                           Post.author_id == user.id).limit(1)
    ) is not None


def facilitator_ids(cohort: Cohort) -> set[int]:
    """Everyone who has facilitated the cohort, so their posts keep the "Facilitator" tag."""
    return set(db.session.scalars(
        select(Membership.user_id).where(Membership.cohort_id == cohort.id,
                                         Membership.role == MemberRole.FACILITATOR)
    ))
