import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, exists
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..clock import UTCDateTime, utcnow
from ..courses.models import Course
from ..extensions import db, str_enum


class CohortState(enum.StrEnum):
    OPEN = "open"  # open for enrolment
    RUNNING = "running"
    CLOSED = "closed"
    ARCHIVED = "archived"

    @property
    def live(self) -> bool:
        """Open or running: the cohort takes new learners and new posts."""
        return self in (CohortState.OPEN, CohortState.RUNNING)

    @property
    def words(self) -> str:
        """The state as people read it ("open for enrolment"), wherever it is shown."""
        return {"open": "open for enrolment", "running": "running",
                "closed": "closed (read only)", "archived": "archived"}[self.value]


class MemberRole(enum.StrEnum):
    LEARNER = "learner"
    FACILITATOR = "facilitator"
    REVIEWER = "reviewer"


class Cohort(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    name: Mapped[str] = mapped_column(String(120))
    enrolment_key: Mapped[str] = mapped_column(String(40), unique=True)
    capacity: Mapped[int | None]
    paced: Mapped[bool] = mapped_column(default=False)
    starts_on: Mapped[date | None]
    state: Mapped[CohortState] = mapped_column(str_enum(CohortState), default=CohortState.OPEN)
    silent_days: Mapped[int] = mapped_column(default=5)
    welcome_message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship()
    releases: Mapped[list["StageRelease"]] = relationship(
        back_populates="cohort", order_by="StageRelease.stage_number", cascade="all, delete-orphan"
    )
    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan"
    )

    @property
    def accepts_enrolment(self) -> bool:
        """New learners may join (capacity is checked where people enrol)."""
        return self.state.live

    @property
    def accepts_posts(self) -> bool:
        """Closed and archived cohorts stay readable but take no new posts."""
        return self.state.live

    @classmethod
    def live_condition(cls):
        """`accepts_posts` (and `accepts_enrolment`) as SQL: open or running."""
        return cls.state.in_([state for state in CohortState if state.live])

    def release_date(self, stage_number: int) -> date | None:
        """The day a stage opens in a paced cohort; None when self-paced or not set."""
        if not self.paced:
            return None
        for release in self.releases:
            if release.stage_number == stage_number:
                return release.opens_on
        return None


def course_on_offer():
    """SQL, in a query of courses: a cohort of the course has been opened (whatever its state
    now), so the course is listed on the home page and its page is public. A course still
    being written in the designer has none."""
    return exists().where(Cohort.course_id == Course.id)


class StageRelease(db.Model):
    """In a paced cohort, the day each stage opens."""

    __table_args__ = (UniqueConstraint("cohort_id", "stage_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    stage_number: Mapped[int]
    opens_on: Mapped[date]

    cohort: Mapped[Cohort] = relationship(back_populates="releases")


class Membership(db.Model):
    __table_args__ = (UniqueConstraint("cohort_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[MemberRole] = mapped_column(str_enum(MemberRole))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    cohort: Mapped[Cohort] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()

    @property
    def active(self) -> bool:
        return self.removed_at is None

    @property
    def is_active_learner(self) -> bool:
        return self.active and self.role == MemberRole.LEARNER

    @classmethod
    def active_learners(cls, cohort_id=None):
        """The one SQL condition for "an active learner" (of `cohort_id`, when given):
        a learner's membership that was not removed."""
        condition = (cls.role == MemberRole.LEARNER) & cls.removed_at.is_(None)
        if cohort_id is not None:
            condition = (cls.cohort_id == cohort_id) & condition
        return condition


class Invite(db.Model):
    """A link that enrols whoever follows it; it can expire and be revoked."""

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))  # who it was sent to, if anyone
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    uses: Mapped[int] = mapped_column(default=0)

    cohort: Mapped[Cohort] = relationship()

    def usable(self, at: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > at)
