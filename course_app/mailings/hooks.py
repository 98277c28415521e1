"""Every stored notification may become an email: when a flush adds a Notification, its email
job is queued for the commit (jobs.queue.on_commit), so a rolled-back request sends nothing.
Registered once by create_app."""

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..jobs.queue import on_commit
from ..notifications.models import Notification


def _queue_notification_emails(session, _flush_context) -> None:
    from .tasks import email_notification

    for thing in session.new:
        if isinstance(thing, Notification) and thing.id is not None:
            on_commit(email_notification.s(thing.id))


def register() -> None:
    if not event.contains(Session, "after_flush", _queue_notification_emails):
        event.listen(Session, "after_flush", _queue_notification_emails)
