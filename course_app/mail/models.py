"""What was sent: the idempotency keys (SentMail) and the development mailbox."""

from datetime import datetime

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import UTCDateTime, utcnow
from ..extensions import db


class SentMail(db.Model):
    """One row per message key, claimed before sending (unique, so two workers racing on one
    message can't both send it), marked sent after, and removed again if the server refused
    it (jobs.sending). Until it is sent the row keeps the message: a claim left without
    `sent_at` (its worker died between claim and send) is sent again later."""

    __tablename__ = "sent_mail"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))  # Outgoing, until sent


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
