import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..clock import UTCDateTime, utcnow
from ..cohorts.models import Cohort
from ..courses.models import Etivity
from ..extensions import db, str_enum


class ThreadKind(enum.StrEnum):
    PIECE = "piece"  # a conversation piece in an e-tivity
    HELP = "help"  # the cohort's "ask for help" thread, watched by facilitators
    WEAVE = "weave"  # a facilitator's summary that cites posts; sits at the top of the e-tivity


class Thread(db.Model):
    # An e-tivity's conversations, pinned first then newest activity, straight from the index:
    # a page of them reads 20 entries, not every thread of the cohort. It starts with
    # cohort_id, so it also serves every lookup of a cohort's threads.
    __table_args__ = (Index("ix_thread_listing", "cohort_id", "etivity_id", "pinned",
                            "last_post_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    etivity_id: Mapped[int | None] = mapped_column(ForeignKey("etivity.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[ThreadKind] = mapped_column(
        str_enum(ThreadKind, 10),
        default=ThreadKind.PIECE,
    )
    title: Mapped[str] = mapped_column(String(200))
    piece: Mapped[str | None] = mapped_column(String(80))  # the template it started from
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_post_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    pinned: Mapped[bool] = mapped_column(default=False)
    locked: Mapped[bool] = mapped_column(default=False)

    cohort: Mapped[Cohort] = relationship()
    etivity: Mapped[Etivity | None] = relationship()  # None for the cohort's help thread
    author: Mapped[User] = relationship()
    posts: Mapped[list["Post"]] = relationship(
        back_populates="thread", order_by="Post.id", cascade="all, delete-orphan"
    )


NOT_SHOWN = "hidden_at IS NOT NULL OR deleted_at IS NOT NULL"


class Post(db.Model):
    __table_args__ = (
        # A resent form (double click, reload) carries the same key: the post is stored once.
        UniqueConstraint("author_id", "submission_key"),
        # A page of a thread is a range of positions, however long the thread.
        Index("uq_post_thread_position", "thread_id", "position", unique=True),
        # The few posts of a thread that are hidden or withdrawn: a thread's shown posts are
        # its length less these, counted without reading the rest.
        Index("ix_post_not_shown", "thread_id", sqlite_where=text(NOT_SHOWN),
              postgresql_where=text(NOT_SHOWN)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"))
    # Where the post stands in its thread, from 0 (the opening post, hence the default):
    # `services.reply` gives each reply the next one. Posts are never deleted, so it stays.
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("post.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # by its author; text kept
    submission_key: Mapped[str | None] = mapped_column(String(64))

    thread: Mapped[Thread] = relationship(back_populates="posts")
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    parent: Mapped["Post | None"] = relationship(remote_side=[id])
    revisions: Mapped[list["PostRevision"]] = relationship(
        back_populates="post", order_by="PostRevision.id", cascade="all, delete-orphan"
    )

    @property
    def visible(self) -> bool:
        return self.hidden_at is None and self.deleted_at is None


class PostRevision(db.Model):
    """The text a post had before an edit: the history is kept, "edited" is shown."""

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when that text was written
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    post: Mapped[Post] = relationship(back_populates="revisions")


class PostRead(db.Model):
    """A post was shown to a reader. Drives unread counts; peers' reads also count as observing."""

    # What one reader has read of a thread (unread counts, "has read the help thread").
    __table_args__ = (Index("ix_post_read_user_thread", "user_id", "thread_id"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"),
                                         primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"), index=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReplyPair(db.Model):
    """How many shown replies one person wrote to another's posts in a cohort: the
    interaction map, kept as replies are written, withdrawn, hidden and shown again
    (`discussions.counts`) instead of joining every post of the cohort to its parent."""

    __table_args__ = (Index("ix_reply_pair_to", "cohort_id", "to_id"),
                      {"sqlite_with_rowid": False})  # SQLite: rows in key order

    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"),
                                           primary_key=True)
    from_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    to_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                       primary_key=True)
    replies: Mapped[int] = mapped_column(default=0)


class ThreadRead(db.Model):
    """How far one reader has read one thread: `reads` of its posts were shown to them
    (PostRead rows), and every post before position `through` was. Kept by
    `discussions.counts` as reads are recorded; unread counts and the first unread post
    start from here instead of going through the reader's reads."""

    __table_args__ = {"sqlite_with_rowid": False}  # SQLite: rows in key order

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"),
                                           primary_key=True)
    reads: Mapped[int] = mapped_column(default=0)
    through: Mapped[int] = mapped_column(default=0)
