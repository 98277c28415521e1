"""A cohort's toolkit: each section's editor and current version, whether the cohort
published it, and who agreed to be named on the published page."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..clock import UTCDateTime
from ..courses.models import Etivity
from ..discussions.models import Post
from ..extensions import db


class ToolkitSection(db.Model):
    """One section of one cohort's toolkit: the e-tivity that builds it (its `toolkit_slug`),
    the learner editor a facilitator named, and the post marked as its current version.
    One row per cohort and e-tivity, so one current version per section per cohort."""

    __tablename__ = "toolkit_section"
    __table_args__ = (
        UniqueConstraint("cohort_id", "etivity_id"),
        # Earlier cohorts' versions of one section (the spark): found by e-tivity.
        Index("ix_toolkit_section_etivity", "etivity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    etivity_id: Mapped[int] = mapped_column(ForeignKey("etivity.id", ondelete="CASCADE"))
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    current_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("post.id", ondelete="SET NULL"))
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    etivity: Mapped[Etivity] = relationship()
    editor: Mapped[User | None] = relationship(foreign_keys=[editor_id])
    current_post: Mapped[Post | None] = relationship()
    marked_by: Mapped[User | None] = relationship(foreign_keys=[marked_by_id])


class ToolkitPublication(db.Model):
    """A cohort's toolkit is published (a read-only page for anyone) while this row exists."""

    __tablename__ = "toolkit_publication"

    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"),
                                           primary_key=True)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))


class ToolkitConsent(db.Model):
    """This person agrees to be named among the contributors on the cohort's published
    toolkit (inside the cohort, members see every contributor's name anyway)."""

    __tablename__ = "toolkit_consent"

    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"),
                                           primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    given_at: Mapped[datetime] = mapped_column(UTCDateTime)
