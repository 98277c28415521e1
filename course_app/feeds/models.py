"""Private calendar links: one per person and paced cohort, revocable."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import UTCDateTime, utcnow
from ..extensions import db


class CalendarFeed(db.Model):
    """The token in the link is the whole credential of a read-only feed a calendar program
    polls: it is kept hashed, like an API token (auth.tokens.hash_secret), so it is shown once,
    when made. Stopping the link deletes the row (it stops at once); making a new one
    replaces it."""

    __tablename__ = "calendar_feed"
    __table_args__ = (UniqueConstraint("user_id", "cohort_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
