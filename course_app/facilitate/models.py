import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..clock import UTCDateTime, utcnow
from ..extensions import db, str_enum


class AuditAction(enum.StrEnum):
    """What a facilitator did. The values are what the log stores: keep them when renaming a
    member, or migrate the rows."""

    OPEN = "open"
    STATE = "state"
    SETTINGS = "settings"
    WELCOME = "welcome"
    KEY = "key"
    INVITE = "invite"
    INVITE_LINK = "invite-link"
    INVITE_REVOKED = "invite-revoked"
    STAFF = "staff"
    REMOVE = "remove"
    BRING_BACK = "bring-back"  # someone removed is in the cohort again
    HIDE = "hide"
    SHOW = "show"
    PINNED = "pinned"
    LOCKED = "locked"
    WEAVE = "weave"
    OPEN_EARLY = "open-early"
    COMPLETE_BY_HAND = "complete-by-hand"
    NUDGE = "nudge"
    COURSE_CHANGED = "course-changed"  # an author changed the course this cohort runs
    TOOLKIT_CURRENT = "toolkit-current"
    TOOLKIT_EDITOR = "toolkit-editor"
    TOOLKIT_PUBLISHED = "toolkit-published"

    @property
    def words(self) -> str:
        """What the action is called in the log's filter."""
        return _ACTION_WORDS[self]


_ACTION_WORDS = {
    AuditAction.HIDE: "Hid a post", AuditAction.SHOW: "Showed a post again",
    AuditAction.PINNED: "Pinned or unpinned", AuditAction.LOCKED: "Locked or unlocked",
    AuditAction.WEAVE: "Wove a summary", AuditAction.NUDGE: "Nudged learners",
    AuditAction.OPEN_EARLY: "Opened early", AuditAction.COMPLETE_BY_HAND: "Marked complete by hand",
    AuditAction.WELCOME: "Welcome message", AuditAction.STATE: "Changed the cohort's state",
    AuditAction.SETTINGS: "Changed settings", AuditAction.KEY: "New enrolment key",
    AuditAction.INVITE: "Invited people", AuditAction.INVITE_LINK: "Made an invite link",
    AuditAction.INVITE_REVOKED: "Revoked an invite", AuditAction.STAFF: "Added staff",
    AuditAction.REMOVE: "Removed someone", AuditAction.BRING_BACK: "Brought someone back",
    AuditAction.OPEN: "Opened the cohort",
    AuditAction.COURSE_CHANGED: "Course content changed",
    AuditAction.TOOLKIT_CURRENT: "Chose a toolkit section's current version",
    AuditAction.TOOLKIT_EDITOR: "Named a toolkit section's editor",
    AuditAction.TOOLKIT_PUBLISHED: "Published or unpublished the toolkit",
}


class AuditEntry(db.Model):
    """Every facilitator action in a cohort: who, what, when, on what.

    Nudges, welcomes and weaves are e-moderating interventions: `intervention` marks them so
    the reports can count a facilitator's work apart from housekeeping.

    `submission_key` is the form's that made the entry (a weave, a nudge): the same form sent
    twice, at once or again after Back, makes one entry, so what it did is done once
    (audit.find_submission).
    """

    __table_args__ = (UniqueConstraint("actor_id", "submission_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[AuditAction] = mapped_column(str_enum(AuditAction))
    # "post 12", "thread 3", "user 7", "invite 4", "everyone"
    target: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text)  # one line a person can read
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    intervention: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submission_key: Mapped[str | None] = mapped_column(String(64))

    actor: Mapped[User | None] = relationship()
