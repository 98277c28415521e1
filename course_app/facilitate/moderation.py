"""Moderating the conversation: hiding a post (with a reason its author sees) and showing it
again, pinning and locking threads."""

from datetime import datetime

from ..auth.models import User
from ..cohorts.models import Cohort
from ..discussions import counts as discussion_counts
from ..discussions.models import Post, Thread
from ..discussions.reading import post_path
from ..discussions.services import lock_post
from ..notifications.models import NotificationKind
from ..notifications.services import notify
from ..progress import evidence
from ..text import is_blank
from .audit import record
from .errors import FacilitateError
from .models import AuditAction

HIDE_REASON_MAX = 500


def check_post_in(cohort: Cohort, post: Post) -> None:
    if post.thread.cohort_id != cohort.id:
        raise FacilitateError("That post is not in this cohort.")


def hide_post(cohort: Cohort, post: Post, actor: User, reason: str, at: datetime) -> None:
    """Hide a post with a reason: its author sees that and why; the text is kept; it stops
    counting towards completions not yet earned."""
    check_post_in(cohort, post)
    reason = reason.strip()
    if is_blank(reason):
        raise FacilitateError("Say why you are hiding it; the author will see your reason.",
                              "reason")
    if len(reason) > HIDE_REASON_MAX:
        raise FacilitateError(f"Keep the reason under {HIDE_REASON_MAX} characters; this one "
                              f"has {len(reason)}.", "reason")
    lock_post(post)  # hidden or withdrawn by someone else a moment ago: said, not done twice
    if post.hidden_at is not None:
        raise FacilitateError("That post is already hidden.")
    if post.deleted_at is not None:
        raise FacilitateError("Its author has already withdrawn that post.")
    discussion_counts.reply_shown_changed(post, cohort.id, -1)
    post.hidden_at, post.hidden_reason, post.hidden_by_id = at, reason, actor.id
    evidence.void_post(post.id, at)
    notify(post.author_id, NotificationKind.MESSAGE,
           f"A facilitator hid your post in “{post.thread.title}”: {reason}", at,
           link=post_path(cohort.id, post.thread_id, post.id),
           cohort_id=cohort.id)
    record(cohort, actor, AuditAction.HIDE, f"Hid a post by {post.author.name}: {reason}", at,
           target=f"post {post.id}", detail={"reason": reason})


def show_post(cohort: Cohort, post: Post, actor: User, at: datetime) -> None:
    check_post_in(cohort, post)
    lock_post(post)
    if post.hidden_at is None:
        raise FacilitateError("That post is not hidden.")
    post.hidden_at, post.hidden_reason, post.hidden_by_id = None, None, None
    if post.deleted_at is None:
        discussion_counts.reply_shown_changed(post, cohort.id, +1)
    evidence.restore_post(post.id)
    record(cohort, actor, AuditAction.SHOW, f"Showed a post by {post.author.name} again", at,
           target=f"post {post.id}")


def set_thread_flags(cohort: Cohort, thread: Thread, actor: User, at: datetime, *,
                     pinned: bool | None = None, locked: bool | None = None) -> None:
    """Pin or unpin, lock or unlock (None leaves a flag as it is); one entry per change."""
    if thread.cohort_id != cohort.id:
        raise FacilitateError("That conversation is not in this cohort.")
    for attr, value, action, on, off in (
            ("pinned", pinned, AuditAction.PINNED, "Pinned", "Unpinned"),
            ("locked", locked, AuditAction.LOCKED, "Locked", "Unlocked")):
        if value is not None and getattr(thread, attr) != value:
            setattr(thread, attr, value)
            record(cohort, actor, action, f"{on if value else off} “{thread.title}”", at,
                   target=f"thread {thread.id}")
