"""Writing threads and posts. Every post that is evidence goes through progress.evidence.

Services flush and never commit; they take the actor and the time explicitly. Reading
(pages, unread, summaries, "post first") is in `reading`.
"""

from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from .. import permissions
from ..auth.models import User
from ..cohorts.models import Cohort, Membership
from ..cohorts.services import membership_of
from ..courses.models import Etivity
from ..database import insert_or_merge
from ..extensions import db
from ..notifications.models import NotificationKind
from ..notifications.services import notify
from ..progress import evidence
from ..text import is_blank, one_line
from . import counts
from .models import Post, PostRead, PostRevision, Thread, ThreadKind
from .reading import help_thread, opening_post, post_path

HELP_THREAD_TITLE = "Ask for help"
TITLE_MAX = 200
BODY_MAX = 10_000
# The same words from the same person in the same place within this time are one post sent
# twice (the form sent again after the Back button, with a new key by then), not two. Back
# and Send again happen within minutes; a second "Agreed!" to the same post half an hour
# later is meant, and a new post.
REPEAT_WITHIN = timedelta(minutes=10)


class PostError(ValueError):
    """Something wrong with what was written, worded for the writer; `field` names the field."""

    def __init__(self, message: str, field: str = "body"):
        super().__init__(message)
        self.field = field
        self.problems = {field: message}  # every field's message, where several are wrong

    @classmethod
    def together(cls, errors: list["PostError"]) -> "PostError":
        """One error for several fields, so a form hears of all of them at once."""
        error = cls(str(errors[0]), errors[0].field)
        for other in errors[1:]:
            error.problems[other.field] = str(other)
        return error


class PostRefused(PostError):
    """The writer may not post here now: something changed while they wrote (`refusal`
    says what). The page gives their text back with this reason (errors.refused)."""


# Why a post sent from a form can't be taken now, in words for its writer.
REMOVED = ("You were removed from this cohort while you were writing, so your post was not "
           "sent. Your text is below so you can keep it.")
CLOSED = "This cohort closed while you were writing: your text is below so you can keep it."
LOCKED = ("A facilitator locked this conversation while you were writing, so nobody can reply "
          "to it now. Your text is below so you can keep it.")
RETIRED = ("This e-tivity was taken out of the course while you were writing, so it takes no "
           "more posts. Your text is below so you can keep it.")
NOT_ALLOWED = "You can't post here now. Your text is below so you can keep it."


def refusal(author: User, cohort: Cohort, thread: Thread | None = None) -> str | None:
    """Why `author`, whom `permissions.can_post` (or `can_reply` for `thread`) refuses, can't
    post here, in words, or None when nothing here explains it (they were never in the
    cohort)."""
    membership = membership_of(cohort.id, author.id)
    if membership is not None and not membership.active:
        return REMOVED
    if not cohort.accepts_posts:
        return CLOSED
    if thread is not None and thread.locked:
        return LOCKED
    if thread is not None and thread.etivity is not None and thread.etivity.retired:
        return RETIRED
    return None


def take_turn(author: User, cohort: Cohort, thread: Thread | None = None) -> None:
    """Before a page stores what a form sent (and asks `find_repeat`): wait for the author's
    other sends in the cohort, and check again that they may post (reply in `thread`) on
    the rows as they are now. PostRefused if not: a facilitator removed them, closed the
    cohort or locked the conversation while they wrote.

    The author's membership row is locked (SELECT ... FOR UPDATE), so two tabs sending the
    same words at once take turns and the second finds the first (`find_repeat`); the
    cohort's row is read with a shared lock, so closing it waits for the posts in flight and
    they see it closed after; the thread's row is locked as a reply takes it anyway. Always
    cohort, then membership, then thread: whatever else locks two of them must take them in
    that order, or two requests could wait for each other. SQLite has one writer anyway."""
    db.session.scalars(select(Cohort).where(Cohort.id == cohort.id)
                       .with_for_update(read=True)
                       .execution_options(populate_existing=True)).one()
    db.session.scalars(select(Membership).where(Membership.cohort_id == cohort.id,
                                                Membership.user_id == author.id)
                       .with_for_update().execution_options(populate_existing=True)).first()
    if thread is not None:
        db.session.refresh(thread, with_for_update=True)
    allowed = (permissions.can_reply(author, thread) if thread is not None
               else permissions.can_post(author, cohort))
    if not allowed:
        raise PostRefused(refusal(author, cohort, thread) or NOT_ALLOWED)


def check_body(body: str) -> str:
    body = (body or "").strip()
    if is_blank(body):
        raise PostError("Write something before you send it.")
    if len(body) > BODY_MAX:
        raise PostError(f"Posts can be up to {BODY_MAX:,} characters; this one has "
                        f"{len(body):,}. Split it into two, or trim it.")
    return body


def check_title(title: str) -> str:
    """A conversation's title, on one line (it goes into email subjects)."""
    title = one_line(title or "")
    if is_blank(title):
        raise PostError("Give your conversation a title.", "title")
    if len(title) > TITLE_MAX:
        raise PostError(f"Titles can be up to {TITLE_MAX} characters.", "title")
    return title


def _checked(title: str, body: str) -> tuple[str, str]:
    """A new conversation's title and opening post, each checked; every problem at once."""
    checked, errors = [], []
    for check, value in ((check_title, title), (check_body, body)):
        try:
            checked.append(check(value))
        except PostError as error:
            errors.append(error)
    if errors:
        raise PostError.together(errors)
    return checked[0], checked[1]


def find_submission(author: User, submission_key: str | None) -> Post | None:
    """The post an earlier send of the same form stored, if any."""
    if not submission_key:
        return None
    return db.session.scalar(
        select(Post).where(Post.author_id == author.id, Post.submission_key == submission_key)
    )


def find_repeat(author: User, at: datetime, body: str, *, thread: Thread | None = None,
                parent: Post | None = None, etivity: Etivity | None = None,
                cohort: Cohort | None = None, title: str | None = None) -> Post | None:
    """The post `author` already sent with the same words in the same place (the same reply
    to the same post, `parent` None for the opening one; a conversation with the same title
    and opening post in the same e-tivity) within REPEAT_WITHIN, if any, still shown.

    The pages ask it before storing what a form sent: a form sent again after going Back
    carries a new key (`find_submission` finds the same form sent twice). Services don't: a
    demo, an import or a test may well say "Thanks!" twice."""
    query = (select(Post).join(Thread, Post.thread_id == Thread.id)
             .where(Post.author_id == author.id, Post.created_at >= at - REPEAT_WITHIN,
                    Post.hidden_at.is_(None), Post.deleted_at.is_(None)))
    if thread is not None:
        answered = parent if parent is not None else opening_post(thread)
        query = query.where(Post.thread_id == thread.id,
                            Post.parent_id == (answered.id if answered else None))
    else:
        try:
            stored = check_title(title)  # as `start_thread` stores it: on one line
        except PostError:
            return None  # no conversation has such a title; starting one says what's wrong
        query = query.where(Thread.cohort_id == cohort.id, Thread.etivity_id == etivity.id,
                            Thread.title == stored, Post.parent_id.is_(None))
    text = _same_text(body)
    return next((p for p in db.session.scalars(query.order_by(Post.created_at.desc()).limit(5))
                 if _same_text(p.body) == text), None)


def piece_body(etivity: Etivity, name: str | None) -> str | None:
    """The starting text of one of the e-tivity's piece templates, or None if it has none so
    named."""
    for piece in etivity.pieces or ():
        if name and piece.get("name") == name:
            return piece.get("body") or ""
    return None


def _same_text(text: str) -> str:
    """Text as people see it: line ends and trailing spaces don't count."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip().split("\n")
    return "\n".join(line.rstrip() for line in lines)


def untouched_template(etivity: Etivity, body: str) -> str | None:
    """The name of the piece template `body` still is, word for word, or None: a post that
    is only the template says nothing yet, so the page asks before sending it."""
    text = _same_text(body)
    for piece in etivity.pieces or ():
        if text and text == _same_text(piece.get("body") or ""):
            return piece.get("name")
    return None


def start_thread(cohort: Cohort, etivity: Etivity, author: User, title: str, body: str,
                 at: datetime, piece: str | None = None, submission_key: str | None = None
                 ) -> Thread:
    """A conversation piece: a thread and its opening post. A resent form returns the
    thread already made. Flushes."""
    earlier = find_submission(author, submission_key)
    if earlier is not None:
        return earlier.thread
    title, body = _checked(title, body)
    if piece_body(etivity, piece) is None:
        piece = None
    thread = Thread(cohort_id=cohort.id, etivity_id=etivity.id, author=author,
                    title=title, piece=piece, created_at=at, last_post_at=at)
    post = Post(author=author, body=body, created_at=at, submission_key=submission_key)
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
        raise PostError("This conversation is locked by a facilitator.")
    opening = opening_post(thread)
    parent = parent or opening
    if parent.thread_id != thread.id:
        raise PostError("That post is not in this conversation.")
    if not parent.visible and parent is not opening:
        raise PostError("That post was withdrawn or hidden. Reply to the conversation instead.")
    body = check_body(body)
    # Touching the thread's row first makes replies to one thread take turns (PostgreSQL
    # holds the row lock to the commit; SQLite has one writer anyway), so the position read
    # next is still the last one when this reply takes the one after it.
    db.session.execute(update(Thread).where(Thread.id == thread.id).values(last_post_at=at))
    last = db.session.scalar(select(func.max(Post.position)).where(Post.thread_id == thread.id))
    post = Post(thread=thread, author=author, parent=parent, body=body, created_at=at,
                submission_key=submission_key, position=0 if last is None else last + 1)
    db.session.add(post)
    db.session.flush()
    _mark_read(author.id, [post], thread.id, at)
    cohort = db.session.get(Cohort, thread.cohort_id)
    counts.reply_shown_changed(post, cohort.id, +1)
    if thread.etivity_id is not None:
        evidence.record_reply(cohort, author.id, thread.etivity_id, post.id, parent.author_id, at)
    if parent.author_id != author.id:
        notify(parent.author_id, NotificationKind.REPLY,
               f"{author.name} replied to your post in “{thread.title}”.", at,
               link=post_path(cohort.id, thread.id, post.id), cohort_id=cohort.id)
    return post


def lock_post(post: Post) -> Post:
    """Take the post's row until the transaction ends, and read it again as it is now: two
    requests at once (hide, show, withdraw, edit, mark it current in the toolkit) take turns,
    and the second sees what the first did (already hidden, withdrawn, the latest text), not
    the post as it was when its page loaded. SQLite has one writer anyway."""
    db.session.refresh(post, with_for_update=True)
    return post


def edit_post(post: Post, editor: User, body: str, at: datetime) -> Post:
    """Change your own post; the earlier text is kept as a revision (every version, when two
    edits come at once: the second replaces the first's text). Flushes."""
    lock_post(post)
    if post.author_id != editor.id:
        raise PostError("You can only edit your own posts.")
    if post.hidden_at is not None or post.deleted_at is not None:
        raise PostError("This post was hidden or withdrawn, so it can't be edited.")
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
    stay, and a "post first" e-tivity stays unlocked for you. Withdrawn already (sent
    twice): nothing more to do."""
    lock_post(post)
    if post.author_id != author.id:
        raise PostError("You can only withdraw your own posts.")
    if post.deleted_at is not None:
        return
    if post.visible:
        counts.reply_shown_changed(post, post.thread.cohort_id, -1)
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
                 "this conversation every working day and there are no silly questions.",
        ))
        db.session.add(thread)
        db.session.flush()
    return thread


# ---- recording what was read ------------------------------------------------------

def _mark_read(user_id: int, posts: list[Post], thread_id: int, at: datetime,
               seen: set[int] | None = None) -> None:
    """Record the posts not read before: one lookup (none when the caller knows which of
    them were `seen`), then (only if some are new) one insert, which skips any that another
    request recorded in between, and the thread's read count."""
    if not posts:
        return
    ids = [p.id for p in posts]
    if seen is None:
        seen = set(db.session.scalars(select(PostRead.post_id).where(
            PostRead.user_id == user_id, PostRead.post_id.in_(ids))))
    new = [{"user_id": user_id, "post_id": post_id, "thread_id": thread_id, "read_at": at}
           for post_id in ids if post_id not in seen]
    if not new:
        return
    table = PostRead.__table__
    stmt = insert_or_merge(table).on_conflict_do_nothing().returning(table.c.post_id)
    added = len(db.session.execute(stmt, new).all())
    if added:
        counts.reads_added(user_id, thread_id, added)


def mark_shown(thread: Thread, reader: User, posts: list[Post], at: datetime,
               seen: set[int] | None = None) -> int:
    """The one write a GET may make: posts shown to a reader on a page count as read,
    and peers' visible posts count as observing. `seen`: which of the posts the reader had
    read already, when the page asked (`reading.read_post_ids`). Returns new observe events."""
    _mark_read(reader.id, posts, thread.id, at, seen)
    if thread.etivity_id is None:
        return 0
    cohort = db.session.get(Cohort, thread.cohort_id)
    visible = [p for p in posts if p.visible]
    return evidence.record_reads(cohort, reader.id, thread.etivity_id, visible, at)
