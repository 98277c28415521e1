"""What authors changed: one row per change made in the designer, for the course's history
and as its audit log (who, when, what, and each field's text before and after)."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
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
