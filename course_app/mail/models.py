"""What was sent: the idempotency keys (SentMail) and the development mailbox."""

from datetime import datetime

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import UTCDateTime, utcnow
from ..extensions import db


class SentMail(db.Model):
    """One row per message key, claimed before sending (unique, so two workers racing on one
    message can't both send it) and removed again if the sending fails."""

    __tablename__ = "sent_mail"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MailboxMessage(db.Model):
    """A message the development mailbox received (no MAIL_SERVER): what would have gone."""

    __tablename__ = "mailbox_message"
    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text, default="")
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
