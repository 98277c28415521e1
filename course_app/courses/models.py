from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..clock import UTCDateTime, utcnow
from ..content import CompletionRule
from ..extensions import db


class Course(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    audience: Mapped[str] = mapped_column(Text)
    weekly_minutes: Mapped[int | None]  # the time a week the course asks of a learner
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Counts the saves of the course's and stages' texts (as Etivity.version counts an
    # e-tivity's): a save made from an older version is refused (two authors).
    texts_version: Mapped[int] = mapped_column(default=1, server_default="1")

    stages: Mapped[list["Stage"]] = relationship(
        back_populates="course", order_by="Stage.number", cascade="all, delete-orphan"
    )
    etivities: Mapped[list["Etivity"]] = relationship(
        back_populates="course",
        order_by="(Etivity.stage_number, Etivity.position)",
        cascade="all, delete-orphan",
    )

    @property
    def active_etivities(self) -> list["Etivity"]:
        return [e for e in self.etivities if not e.retired]

    def etivities_in(self, stage_number: int) -> list["Etivity"]:
        return [e for e in self.active_etivities if e.stage_number == stage_number]


class Stage(db.Model):
    __table_args__ = (UniqueConstraint("course_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    emoderator: Mapped[str] = mapped_column(Text)
    suggested_days: Mapped[int]

    course: Mapped[Course] = relationship(back_populates="stages")


class Etivity(db.Model):
    """One e-tivity of a course, keyed by its stable slug so re-imports keep posts and progress."""

    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(80))
    stage_number: Mapped[int]
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    spark: Mapped[str] = mapped_column(Text)
    task: Mapped[str] = mapped_column(Text)
    interaction: Mapped[str] = mapped_column(Text)
    emoderator: Mapped[str] = mapped_column(Text)
    minutes: Mapped[int]
    days: Mapped[int]
    next: Mapped[str] = mapped_column(Text)
    required: Mapped[bool] = mapped_column(default=True)
    observe: Mapped[int] = mapped_column(default=0)
    interact: Mapped[int] = mapped_column(default=0)
    initiate: Mapped[int] = mapped_column(default=0)
    post_first: Mapped[bool] = mapped_column(default=False)
    first_post_day: Mapped[int | None]
    replies_day: Mapped[int | None]
    pieces: Mapped[list] = mapped_column(JSON, default=list)
    # Facilitators' posts in this e-tivity count toward its *observe* (the task asks to read them).
    observe_facilitators: Mapped[bool] = mapped_column(default=False)
    # The section of the cohort's toolkit this e-tivity builds, if any (slug unique in the course).
    toolkit_slug: Mapped[str | None] = mapped_column(String(80))
    toolkit_title: Mapped[str | None] = mapped_column(String(200))
    # What the e-moderator does on day N after the stage opens: [{"day": 2, "note": "…"}].
    moderator_days: Mapped[list] = mapped_column(JSON, default=list)
    # Removed from the content folder: hidden from the map, its threads kept.
    retired: Mapped[bool] = mapped_column(default=False)
    # Counts the designer's saves: a save made from an older version is refused (two authors).
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    course: Mapped[Course] = relationship(back_populates="etivities")

    @property
    def rule(self) -> CompletionRule:
        return CompletionRule(self.observe, self.interact, self.initiate,
                              any_post=self.observe_facilitators)


class CourseAuthor(db.Model):
    """Someone who may design a course (permissions.can_author). The owner (who made the
    course) may also grant and take away authorship; admins may do everything anyway."""

    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    owner: Mapped[bool] = mapped_column(default=False)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship()
    user: Mapped[User] = relationship()
