from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..clock import UTCDateTime, utcnow
from ..extensions import db


class AuditEntry(db.Model):
    """Every facilitator action in a cohort: who, what, when, on what.

    Nudges, welcomes and weaves are e-moderating interventions: `intervention` marks them so
    the reports can count a facilitator's work apart from housekeeping.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(200), default="")  # "post 12", "learner 7"
    summary: Mapped[str] = mapped_column(Text)  # one line a person can read
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    intervention: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()


class Citation(db.Model):
    """A weave (a facilitator's summary post) cites the posts it draws together."""

    id: Mapped[int] = mapped_column(primary_key=True)
    weave_post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), index=True)
    cited_post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    quote: Mapped[str] = mapped_column(Text, default="")
