"""Rules about threads and posts that several pages ask, each written once as SQL.

"Unanswered" is the facilitator's queue's "first posts nobody has answered" and the e-tivity
report's "conversations nobody has answered": both use `unanswered_condition`, so the two pages
always agree about a thread.
"""

from sqlalchemy import ColumnElement, exists
from sqlalchemy.orm import aliased

from .models import Post, Thread


def shown(post=Post) -> ColumnElement[bool]:
    """A post everyone can read: neither withdrawn by its author nor hidden by a facilitator
    (`post` may be an alias of Post)."""
    return post.hidden_at.is_(None) & post.deleted_at.is_(None)


def not_shown(post=Post) -> ColumnElement[bool]:
    """A post withdrawn or hidden: spelt as `models.NOT_SHOWN`, the condition of the index of
    such posts, so the databases use that index."""
    return post.hidden_at.is_not(None) | post.deleted_at.is_not(None)


def is_answer(post=Post) -> ColumnElement[bool]:
    """A post (joined to its `Thread`) that answers the thread: shown, and written by someone
    other than the thread's author. A withdrawn or hidden reply is no answer: the author still
    sees nobody answering them."""
    return shown(post) & (post.author_id != Thread.author_id)


def answered_condition() -> ColumnElement[bool]:
    """A thread (correlated to `Thread`) with at least one answer."""
    reply = aliased(Post)
    return exists().where(reply.thread_id == Thread.id, is_answer(reply))


def unanswered_condition() -> ColumnElement[bool]:
    """A thread still waiting for an answer: its author still shows something in it (a piece
    withdrawn or hidden waits for nobody) and nobody else has answered it."""
    own = aliased(Post)
    return exists().where(own.thread_id == Thread.id, own.author_id == Thread.author_id,
                          shown(own)) & ~answered_condition()

