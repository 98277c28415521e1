"""Threads and posts. Every post that is evidence goes through progress.services."""

from datetime import datetime

from sqlalchemy import select

from ..auth.models import User
from ..cohorts.models import Cohort
from ..courses.models import Etivity
from ..extensions import db
from ..progress import services as progress
from .models import Post, Thread, ThreadKind

HELP_THREAD_TITLE = "Ask for help here"


def start_thread(cohort: Cohort, etivity: Etivity, author: User, title: str, body: str,
                 at: datetime, piece: str | None = None) -> Thread:
    """A learner's conversation piece: a thread and its opening post. Flushes."""
    thread = Thread(cohort_id=cohort.id, etivity_id=etivity.id, author=author, title=title.strip(),
                    piece=piece, created_at=at, last_post_at=at)
    post = Post(author=author, body=body, created_at=at)
    thread.posts.append(post)
    db.session.add(thread)
    db.session.flush()
    progress.record_new_thread(cohort, author.id, etivity.id, post.id, at)
    return thread


def reply(thread: Thread, author: User, body: str, at: datetime, parent: Post | None = None) -> Post:
    """Reply in a thread; without a parent it answers the opening post. Flushes."""
    parent = parent or thread.posts[0]
    post = Post(thread=thread, author=author, parent=parent, body=body, created_at=at)
    db.session.add(post)
    thread.last_post_at = at
    db.session.flush()
    if thread.etivity_id is not None:
        cohort = db.session.get(Cohort, thread.cohort_id)
        progress.record_reply(cohort, author.id, thread.etivity_id, post.id, parent.author_id, at)
    return post


def mark_shown(thread: Thread, reader: User, posts: list[Post], at: datetime) -> int:
    """Posts shown to a reader on a page of the thread count as read."""
    if thread.etivity_id is None:
        return 0
    cohort = db.session.get(Cohort, thread.cohort_id)
    visible = [p for p in posts if p.hidden_at is None]
    return progress.record_reads(cohort, reader.id, thread.etivity_id, visible, at)


def ensure_help_thread(cohort: Cohort, facilitator: User, at: datetime) -> Thread:
    thread = db.session.scalar(
        select(Thread).where(Thread.cohort_id == cohort.id, Thread.kind == ThreadKind.HELP)
    )
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
