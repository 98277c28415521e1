"""How long mail records are kept: MAIL_KEEP_DAYS (config; 30 by default). After that
`purge_mail` deletes the development mailbox's messages and the `sent_mail` keys (and any
message a claim still holds). A key is only asked for again within a day or so of its
message (a digest's day, a notification's job and its retries), so an old one stops
nothing. The worker runs it daily (`purge_old_mail`), any number of times."""

from datetime import datetime, timedelta

from flask import current_app
from huey import crontab
from sqlalchemy import delete

from ..clock import utcnow
from ..extensions import db
from ..mail.models import MailboxMessage, SentMail
from .queue import periodic_task


def purge_mail(now: datetime, keep_days: int) -> tuple[int, int]:
    """Delete mailbox messages and sent-mail keys older than `keep_days` days. Returns (messages,
    keys) deleted. Flushes."""
    cutoff = now - timedelta(days=keep_days)
    messages = db.session.execute(
        delete(MailboxMessage).where(MailboxMessage.created_at < cutoff)).rowcount
    keys = db.session.execute(delete(SentMail).where(SentMail.claimed_at < cutoff)).rowcount
    db.session.flush()
    return messages, keys


@periodic_task(crontab(hour="3", minute="30"))
def purge_old_mail() -> tuple[int, int]:
    purged = purge_mail(utcnow(), current_app.config["MAIL_KEEP_DAYS"])
    db.session.commit()
    return purged
