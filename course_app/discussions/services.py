"""Threads and posts. Every post that is evidence goes through progress.evidence.

Services flush and never commit; they take the actor and the time explicitly.
"""

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..auth.models import User
from ..cohorts.models import Cohort, MemberRole, Membership
from ..courses.models import Etivity
from ..extensions import db
from ..notifications.models import NotificationKind
from ..notifications.services import notify
from ..progress import evidence
from ..progress.models import Activity, Mode
from .models import Post, PostRead, PostRevision, Thread, ThreadKind

HELP_THREAD_TITLE = "Ask for help here"
TITLE_MAX = 200
BODY_MAX = 10_000
POSTS_PER_PAGE = 20


class PostError(ValueError):
    """Something wrong with what was written, worded for the writer; `field` names the field."""

    def __init__(self, message: str, field: str = "body"):
        super().__init__(message)
        self.field = field


def check_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise PostError("Write something before you send it.")
    if len(body) > BODY_MAX:
        raise PostError(f"Posts can be up to {BODY_MAX:,} characters; this one has "
                        f"{len(body):,}. Split it into two, or trim it.")
    return body


def check_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise PostError("Give your conversation piece a title.", "title")
    if len(title) > TITLE_MAX:
        raise PostError(f"Titles can be up to {TITLE_MAX} characters.", "title")
    return title


def find_submission(author: User, submission_key: str | None) -> Post | None:
    """The post an earlier send of the same form stored, if any."""
    if not submission_key:
        return None
    return db.session.scalar(
        select(Post).where(Post.author_id == author.id, Post.submission_key == submission_key)
    )



def piece_body(etivity: Etivity, name: str | None) -> str | None:
    """The starting text of one of the e-tivity's piece templates, or None if it has none so named."""
    for piece in etivity.pieces or ():
        if name and piece.get("name") == name:
            return piece.get("body") or ""
    return None


def start_thread(cohort: Cohort, etivity: Etivity, author: User, title: str, body: str,
                 at: datetime, piece: str | None = None, submission_key: str | None = None
                 ) -> Thread:
    """A conversation piece: a thread and its opening post. A resent form returns the
    thread already made. Flushes."""
    earlier = find_submission(author, submission_key)
    if earlier is not None:
        return earlier.thread
    if piece_body(etivity, piece) is None:
        piece = None
    thread = Thread(cohort_id=cohort.id, etivity_id=etivity.id, author=author,
                    title=check_title(title), piece=piece, created_at=at, last_post_at=at)
    post = Post(author=author, body=check_body(body), created_at=at, submission_key=submission_key)
    thread.posts.append(post)
    db.session.add(thread)
    db.session.flush()
    _mark_read(author.id, [post], thread.id, at)
    evidence.record_new_thread(cohort, author.id, etivity.id, post.id, at)
    return thread


def reply(thread: Thread, author: User, body: str, at: datetime, parent: Post | None = None,
          submission_key: str | None = None) -> Post:
    """Reply in a thread; without a parent it answers the opening post. A resent form
    returns the reply already stored. Flushes."""
    earlier = find_submission(author, submission_key)
    if earlier is not None:
        return earlier
    if thread.locked:
        raise PostError("This thread is locked by a facilitator.")
    parent = parent or thread.posts[0]
    if parent.thread_id != thread.id:
        raise PostError("That post is not in this thread.")
    if not parent.visible and parent is not thread.posts[0]:
        raise PostError("That post was withdrawn or hidden. Reply to the thread instead.")
    post = Post(thread=thread, author=author, parent=parent, body=check_body(body),
                created_at=at, submission_key=submission_key)
    db.session.add(post)
    thread.last_post_at = at
    db.session.flush()
    _mark_read(author.id, [post], thread.id, at)
    cohort = db.session.get(Cohort, thread.cohort_id)
    if thread.etivity_id is not None:
        evidence.record_reply(cohort, author.id, thread.etivity_id, post.id, parent.author_id, at)
    if parent.author_id != author.id:
        notify(parent.author_id, NotificationKind.REPLY,
               f"{author.name} replied to your post in “{thread.title}”.", at,
               link=f"/cohorts/{cohort.id}/threads/{thread.id}#post-{post.id}", cohort_id=cohort.id)
    return post


def edit_post(post: Post, editor: User, body: str, at: datetime) -> Post:
    """Change your own post; the earlier text is kept as a revision. Flushes."""
    if post.author_id != editor.id:
        raise PostError("You can only edit your own posts.")
    if post.hidden_at is not None or post.deleted_at is not None:
        raise PostError("This post can't be edited any more.")
    body = check_body(body)
    if body == post.body:
        return post
    post.revisions.append(PostRevision(body=post.body, created_at=post.edited_at or post.created_at,
                                       replaced_at=at))
    post.body = body
    post.edited_at = at
    db.session.flush()
    return post


def delete_post(post: Post, author: User, at: datetime) -> None:
    """Withdraw your own post. Its text is kept for the record; completions already earned
    stay, and a "post first" e-tivity stays unlocked for you."""
    if post.author_id != author.id:
        raise PostError("You can only delete your own posts.")
    post.deleted_at = at
    evidence.void_post(post.id, at)
    db.session.flush()


def ensure_help_thread(cohort: Cohort, facilitator: User, at: datetime) -> Thread:
    thread = help_thread(cohort)
    if thread is None:
        thread = Thread(cohort_id=cohort.id, author=facilitator, kind=ThreadKind.HELP,
                        title=HELP_THREAD_TITLE, created_at=at, last_post_at=at, pinned=True)
        thread.posts.append(Post(
            author=facilitator, created_at=at,
            body="Stuck, lost or unsure what to do next? Ask here: the facilitators read "
                 "this thread every day and there are no silly questions.",
        ))
        db.session.add(thread)
        db.session.flush()
    return thread


def help_thread(cohort: Cohort) -> Thread | None:
    return db.session.scalar(
        select(Thread).where(Thread.cohort_id == cohort.id, Thread.kind == ThreadKind.HELP)
    )


# ---- reading -------------------------------------------------------------------

def _mark_read(user_id: int, posts: list[Post], thread_id: int, at: datetime) -> None:
    if not posts:
        return
    ids = [p.id for p in posts]
    seen = set(db.session.scalars(
        select(PostRead.post_id).where(PostRead.user_id == user_id, PostRead.post_id.in_(ids))
    ))
    for post_id in ids:
        if post_id not in seen:
            db.session.add(PostRead(user_id=user_id, post_id=post_id, thread_id=thread_id,
                                    read_at=at))
    try:
        db.session.flush()
    except IntegrityError:  # the same page opened twice at once: already recorded
        db.session.rollback()


def mark_shown(thread: Thread, reader: User, posts: list[Post], at: datetime) -> int:
    """The one write a GET may make: posts shown to a reader on a page count as read,
    and peers' visible posts count as observing. Returns new observe events."""
    _mark_read(reader.id, posts, thread.id, at)
    if thread.etivity_id is None:
        return 0
    cohort = db.session.get(Cohort, thread.cohort_id)
    visible = [p for p in posts if p.visible]
    return evidence.record_reads(cohort, reader.id, thread.etivity_id, visible, at)


def has_read_help(cohort: Cohort, user: User) -> bool:
    thread = help_thread(cohort)
    return thread is not None and db.session.scalar(
        select(PostRead.post_id).where(PostRead.thread_id == thread.id,
                                       PostRead.user_id == user.id).limit(1)
    ) is not None


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


def read_post_ids(thread: Thread, reader: User) -> set[int]:
    """The ids of the thread's posts already shown to the reader."""
    return set(db.session.scalars(
        select(PostRead.post_id).where(PostRead.thread_id == thread.id,
                                       PostRead.user_id == reader.id)
    ))


def first_unread_position(thread: Thread, reader: User) -> int | None:
    """0-based position of the first visible post the reader has not seen, or None.

    Hidden and withdrawn posts never count as unread (as in `thread_summaries`).
    """
    read = read_post_ids(thread, reader)
    for position, post in enumerate(thread.posts):
        if post.id not in read and post.visible:
            return position
    return None


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
    role = db.session.scalar(
        select(Membership.role).where(Membership.cohort_id == cohort.id,
                                      Membership.user_id == user.id,
                                      Membership.removed_at.is_(None))
    )
    return role == MemberRole.LEARNER and not has_started_thread(cohort, etivity, user)


@dataclass(frozen=True)
class PostsPage:
    posts: list[Post]
    number: int  # 1-based
    pages: int
    positions: dict[int, int]  # post id -> 0-based position in the whole thread

    def page_of(self, post_id: int) -> int:
        return self.positions.get(post_id, 0) // POSTS_PER_PAGE + 1


def page_for_position(position: int) -> int:
    return position // POSTS_PER_PAGE + 1


def posts_page(thread: Thread, number: int) -> PostsPage:
    """One page of a thread's posts, oldest first; a page past the end shows the last."""
    posts = db.session.scalars(
        select(Post).where(Post.thread_id == thread.id).order_by(Post.id)
        .options(selectinload(Post.author), selectinload(Post.revisions),
                 selectinload(Post.parent).selectinload(Post.author))
    ).all()
    pages = max(math.ceil(len(posts) / POSTS_PER_PAGE), 1)
    number = min(max(number, 1), pages)
    start = (number - 1) * POSTS_PER_PAGE
    return PostsPage(list(posts[start:start + POSTS_PER_PAGE]), number, pages,
                     {p.id: i for i, p in enumerate(posts)})


def posted_in_cohort(cohort: Cohort, user: User) -> bool:
    return db.session.scalar(
        select(Post.id).join(Thread).where(Thread.cohort_id == cohort.id,
                                           Post.author_id == user.id).limit(1)
    ) is not None


def facilitator_ids(cohort: Cohort) -> set[int]:
    return set(db.session.scalars(
        select(Membership.user_id).where(Membership.cohort_id == cohort.id,
                                         Membership.role == MemberRole.FACILITATOR)
    ))
