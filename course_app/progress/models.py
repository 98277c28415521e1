import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import UTCDateTime, utcnow
from ..extensions import db, str_enum


class Mode(enum.StrEnum):
    """Salmon's ladder: what a learner did, not what they clicked."""

    OBSERVE = "observe"  # read a peer's post
    INTERACT = "interact"  # replied to a peer's post
    INITIATE = "initiate"  # started a conversation piece


class Activity(db.Model):
    """The activity log: one row per piece of evidence (a read, a reply, a new thread).

    `post_id` is the post read (observe) or written (interact, initiate); `peer_id` the
    author of the post read or replied to. A row is never deleted; a post hidden later
    voids it, so it stops counting towards new completions but stays as history.
    """

    __table_args__ = (UniqueConstraint("user_id", "kind", "post_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    etivity_id: Mapped[int] = mapped_column(ForeignKey("etivity.id", ondelete="CASCADE"))
    kind: Mapped[Mode] = mapped_column(
        str_enum(Mode, 10)
    )
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    peer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Completion(db.Model):
    """An e-tivity completed by a learner: earned once and kept, with its evidence."""

    __table_args__ = (UniqueConstraint("cohort_id", "user_id", "etivity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    etivity_id: Mapped[int] = mapped_column(ForeignKey("etivity.id", ondelete="CASCADE"))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when a facilitator marked it complete by hand.
    by_hand_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # {"rule": {...}, "observe": [post ids], "interact": [post ids], "initiate": [post ids]}
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)


class Override(db.Model):
    """A facilitator opened a stage or an e-tivity early, for one learner or (user_id None)
    everyone."""

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    stage_number: Mapped[int | None]
    etivity_id: Mapped[int | None] = mapped_column(ForeignKey("etivity.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
