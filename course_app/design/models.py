"""What authors changed: one row per change made in the designer, for the course's history
and as its audit log (who, when, what, and each field's text before and after)."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..clock import UTCDateTime, utcnow
from ..courses.models import Course, Etivity
from ..extensions import db


class CourseChange(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"),
                                           index=True)
    etivity_id: Mapped[int | None] = mapped_column(
        ForeignKey("etivity.id", ondelete="SET NULL"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))  # design.services.ACTIONS
    summary: Mapped[str] = mapped_column(Text)  # one line a person can read
    # {field: [before, after]} for edits; {} for moves and the like.
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship()
    etivity: Mapped[Etivity | None] = relationship()
    actor: Mapped[User | None] = relationship()


class DesignDraft(db.Model):
    """An author's pending edit, which learners don't see until the course is published.

    `key` is the e-tivity's slug, or "" for the course's and its stages' texts. A draft of an
    existing e-tivity has `etivity`; a new e-tivity has none until it is published (it is
    added at the end of `stage`). `fields` holds the Etivity columns the draft sets, or
    {"course": {...}, "stages": {"1": {...}, …}} for the course texts. `version` counts the
    saves of a new e-tivity's draft (an existing e-tivity's saves count in Etivity.version)."""

    __table_args__ = (UniqueConstraint("course_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"),
                                           index=True)
    etivity_id: Mapped[int | None] = mapped_column(
        ForeignKey("etivity.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(80))
    stage: Mapped[int | None]
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(default=1)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship()
    etivity: Mapped[Etivity | None] = relationship()
    author: Mapped[User | None] = relationship()

    @property
    def is_new(self) -> bool:
        """A new e-tivity's draft: not yet published (no e-tivity), and not the course's
        texts."""
        return bool(self.key) and self.etivity_id is None

    @property
    def what(self) -> str:
        """What the draft is of, in a sentence's words: "the course's texts", or the
        e-tivity's title as drafted (its published title, or its slug until it has one)."""
        if not self.key:
            return "the course's texts"
        return self.fields.get("title") or (self.etivity.title if self.etivity else self.key)
