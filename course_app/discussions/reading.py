"""Reading discussions: a thread's pages, what a reader has not seen yet, the list of an
e-tivity's threads, and "post first".

Queries only; recording what was shown is `services.mark_shown`. Each post knows its
position in its thread, so a page is a range of positions and "which page is this post on"
is arithmetic: no page of a thread costs more than another, however long the thread.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..auth.models import User
from ..cohorts.models import Cohort, MemberRole, Membership
from ..courses.models import Etivity
from ..extensions import db
from ..paging import paginate
from ..progress.models import Activity, Mode
from .counts import read_through
from .models import Post, PostRead, Thread, ThreadKind, ThreadRead
from .queries import not_shown, shown

POSTS_PER_PAGE = 20
THREADS_PER_PAGE = 20  # conversation pieces on a page of an e-tivity


# ---- a thread's pages ----------------------------------------------------------

def page_for_position(position: int) -> int:
    """The page (from 1) that shows the post at 0-based `position` in its thread."""
    return position // POSTS_PER_PAGE + 1


class ThreadPage(Pagination):
    """A page of a thread, as `db.paginate` would give it (for the `pager` macro), read as a
    range of positions: the posts with their authors, edit history and parents, and nothing
    else of the thread."""

    def _query_items(self) -> list[Post]:
        start = (self.page - 1) * self.per_page
        return list(db.session.scalars(
            select(Post).where(Post.thread_id == self._query_args["thread_id"],
                               Post.position >= start, Post.position < start + self.per_page)
            .order_by(Post.position)
            .options(selectinload(Post.author), selectinload(Post.revisions),
                     selectinload(Post.parent).selectinload(Post.author))))

    def _query_count(self) -> int:
        return self._query_args["length"]


def thread_length(thread: Thread) -> int:
    """How many posts the thread has (withdrawn and hidden ones too): its last position + 1."""
    last = db.session.scalar(select(func.max(Post.position)).where(Post.thread_id == thread.id))
    return 0 if last is None else last + 1


def posts_page(thread: Thread, number: int | None = None) -> Pagination:
    """One page of the thread's posts, oldest first; the last page when `number` is None or
    past the end."""
    length = thread_length(thread)
    last = page_for_position(max(length - 1, 0))
    number = last if number is None or number > last else max(number, 1)
    return ThreadPage(page=number, per_page=POSTS_PER_PAGE, error_out=False,
                      thread_id=thread.id, length=length)


def page_of_post(post: Post) -> int:
    """The page of its thread a post is on (no query: the post knows its position)."""
    return page_for_position(post.position)


def post_path(cohort_id: int, thread_id: int, post_id: int) -> str:
    """The address that opens a thread at one post (a notification's, an email's, a report's
    link): `?post=` opens the page it is on, and the anchor scrolls to it. A thread's plain
    address opens at the reader's first unread post, and the browser never sends the
    #fragment that would say otherwise."""
    return f"/cohorts/{cohort_id}/threads/{thread_id}?post={post_id}#post-{post_id}"


def pages_of(posts: Iterable[Post]) -> dict[int, int]:
    """{post id: the page of its thread it is on} for many posts (of any threads) at once."""
    return {post.id: page_for_position(post.position) for post in posts}


def opening_post(thread: Thread) -> Post | None:
    """The post that started the thread (replies without a parent answer it)."""
    return db.session.scalar(
        select(Post).where(Post.thread_id == thread.id, Post.position == 0))


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
    """The thread's first post the reader has not been shown: one query that walks the thread
    in position order from where they last stopped reading (`counts.read_through`) to the
    first one, rather than from the start. Hidden and withdrawn posts never count as unread
    (as in `summaries`)."""
    seen = select(PostRead.post_id).where(PostRead.post_id == Post.id,
                                          PostRead.user_id == reader.id)
    return db.session.scalar(
        select(Post).where(Post.thread_id == thread.id,
                           Post.position >= read_through(reader.id, thread.id),
                           shown(), ~seen.exists())
        .order_by(Post.position).limit(1)
    )


@dataclass(frozen=True)
class ThreadSummary:
    thread: Thread
    replies: int
    unread: int
    last_post_at: datetime


def pieces(cohort: Cohort, etivity: Etivity, author: User | None = None):
    """The e-tivity's conversation pieces (or `author`'s only), pinned first, newest activity
    next. Weaves (facilitators' summaries) are not pieces: they sit above the list."""
    query = select(Thread).where(Thread.cohort_id == cohort.id, Thread.etivity_id == etivity.id,
                                 Thread.kind != ThreadKind.WEAVE)
    if author is not None:
        query = query.where(Thread.author_id == author.id)
    return query.order_by(Thread.pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc())


def pieces_page(cohort: Cohort, etivity: Etivity, number: int | None,
                author: User | None = None) -> Pagination:
    """A page of `pieces`; a page past the end shows the last one."""
    query = pieces(cohort, etivity, author).options(selectinload(Thread.author))
    return paginate(query, number, THREADS_PER_PAGE)


def count_pieces(cohort: Cohort, etivity: Etivity) -> int:
    return db.session.scalar(select(func.count()).select_from(pieces(cohort, etivity).subquery()))


def summaries(threads: list[Thread], reader: User) -> list[ThreadSummary]:
    """Reply and unread counts of these threads, in three queries however long they are:
    a thread's shown posts are its length less its few hidden or withdrawn ones, and the
    reader's unread ones are those less the reader's reads of shown posts."""
    if not threads:
        return []
    ids = [t.id for t in threads]
    # One index probe per thread: the largest position, not a count of its posts.
    last = dict(db.session.execute(
        select(Thread.id, select(func.max(Post.position)).where(Post.thread_id == Thread.id)
               .scalar_subquery()).where(Thread.id.in_(ids))).all())
    read_here = dict(db.session.execute(
        select(ThreadRead.thread_id, ThreadRead.reads).where(ThreadRead.user_id == reader.id,
                                                             ThreadRead.thread_id.in_(ids))
    ).all())
    muted: dict[int, tuple[int, int]] = {
        thread_id: (posts, seen) for thread_id, posts, seen in db.session.execute(
            select(Post.thread_id, func.count(Post.id), func.count(PostRead.post_id))
            .outerjoin(PostRead, (PostRead.post_id == Post.id) & (PostRead.user_id == reader.id))
            .where(Post.thread_id.in_(ids), not_shown())
            .group_by(Post.thread_id))}
    out = []
    for t in threads:
        muted_posts, muted_read = muted.get(t.id, (0, 0))
        length = 0 if last.get(t.id) is None else last[t.id] + 1
        total = length - muted_posts
        read = read_here.get(t.id, 0) - muted_read
        out.append(ThreadSummary(t, max(total - 1, 0), max(total - read, 0), t.last_post_at))
    return out


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


def started_in(cohort: Cohort, user: User, etivity_ids: list[int]) -> set[int]:
    """Which of `etivity_ids` `user` has started a piece in, in one query. For "post first":
    once you have started a piece the others stay visible to you, even if your piece is
    later deleted or hidden (its initiate evidence stays)."""
    started = select(Activity.etivity_id).where(
        Activity.cohort_id == cohort.id, Activity.etivity_id.in_(etivity_ids),
        Activity.user_id == user.id, Activity.kind == Mode.INITIATE,
    ).union(select(Thread.etivity_id).where(
        Thread.cohort_id == cohort.id, Thread.etivity_id.in_(etivity_ids),
        Thread.author_id == user.id))
    return set(db.session.scalars(started))


def waiting_to_post(cohort: Cohort, etivities: list[Etivity], user: User) -> set[int]:
    """The "post first" e-tivities among `etivities` that keep peers' threads from `user`
    until they start their own, in two queries however many there are.

    Only learners wait; facilitators and reviewers always see every thread.
    """
    ids = [etivity.id for etivity in etivities if etivity.post_first]
    if not ids:
        return set()
    learner = db.session.scalar(
        select(Membership.id).where(Membership.active_learners(cohort.id),
                                    Membership.user_id == user.id)
    )
    return set(ids) - started_in(cohort, user, ids) if learner is not None else set()


def must_post_first(cohort: Cohort, etivity: Etivity, user: User) -> bool:
    """True while a "post first" e-tivity keeps peers' threads from this learner."""
    return etivity.id in waiting_to_post(cohort, [etivity], user)


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
