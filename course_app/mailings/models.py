"""What each person wants by email (EmailPreference; no row means the defaults)."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import UTCDateTime
from ..extensions import db, str_enum

DEFAULT_TIME_ZONE = "Europe/London"


class Delivery(enum.StrEnum):
    NOW = "now"  # an email at once
    DIGEST = "digest"  # collected into the digest
    OFF = "off"  # only in the app


class DigestEvery(enum.StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"  # on Mondays
    NEVER = "never"


class EmailPreference(db.Model):
    __tablename__ = "email_preference"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    replies: Mapped[Delivery] = mapped_column(str_enum(Delivery, 10), default=Delivery.NOW)
    messages: Mapped[Delivery] = mapped_column(str_enum(Delivery, 10), default=Delivery.NOW)
    stages: Mapped[Delivery] = mapped_column(str_enum(Delivery, 10), default=Delivery.NOW)
    digest: Mapped[DigestEvery] = mapped_column(str_enum(DigestEvery, 10),
                                                default=DigestEvery.WEEKLY)
    morning: Mapped[bool] = mapped_column(default=True)  # facilitators: what needs you today
    time_zone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIME_ZONE)
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
