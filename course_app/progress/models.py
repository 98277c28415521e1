import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, UniqueConstraint
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

    __table_args__ = (
        UniqueConstraint("user_id", "kind", "post_id"),
        # One learner's evidence in a cohort (and in one e-tivity): evaluating a rule, "post
        # first", a learner's report. Its first column also serves "the whole cohort".
        Index("ix_activity_cohort_user", "cohort_id", "user_id", "etivity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    etivity_id: Mapped[int] = mapped_column(ForeignKey("etivity.id", ondelete="CASCADE"))
    kind: Mapped[Mode] = mapped_column(
        str_enum(Mode, 10)
    )
    # Indexed for hiding and showing a post again, which void and restore its evidence.
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), index=True)
    peer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ActivityCount(db.Model):
    """What the activity log says about one learner in one e-tivity, kept as it grows so that
    pages read a row instead of counting the log: the figures an e-tivity's rule counts
    (posts read and conversations started, different peers replied to; voided evidence
    left out) and the time of the latest evidence, voided or not.

    Only `progress.evidence` writes it, in the transaction that writes the log;
    `progress.counts.rebuild_cohort` makes it again from the log.
    """

    # SQLite keeps the rows in key order (no rowid), so a cohort's rows are one range.
    __table_args__ = {"sqlite_with_rowid": False}

    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"),
                                           primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    etivity_id: Mapped[int] = mapped_column(ForeignKey("etivity.id", ondelete="CASCADE"),
                                            primary_key=True)
    observe: Mapped[int] = mapped_column(default=0)
    interact: Mapped[int] = mapped_column(default=0)
    initiate: Mapped[int] = mapped_column(default=0)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ActivityWeek(db.Model):
    """One learner's evidence in one week (from Monday, UTC) as events: two replies to one
    peer count twice here. Voided evidence is left out. Kept like `ActivityCount`."""

    __table_args__ = {"sqlite_with_rowid": False}

    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"),
                                           primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    week: Mapped[date] = mapped_column(primary_key=True)
    observe: Mapped[int] = mapped_column(default=0)
    interact: Mapped[int] = mapped_column(default=0)
    initiate: Mapped[int] = mapped_column(default=0)


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
