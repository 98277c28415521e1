"""The mailing jobs: a notification's email, the digests and the facilitators' morning email,
and the periodic job that finds who is due (every 15 minutes: 08:00 comes at different times
in different zones), which first tells learners about stages that opened today by date."""

from datetime import date, datetime

from huey import crontab
from huey.exceptions import TaskLockedException

from ..clock import utcnow
from ..extensions import db
from ..jobs.queue import huey, periodic_task
from ..jobs.sending import mail_task, send_once
from ..notifications.models import Notification
from ..progress.announcements import announce_opened_today
from . import digests


@mail_task
def email_notification(notification_id: int) -> bool:
    notification = db.session.get(Notification, notification_id)
    if notification is None:
        return False
    from .notices import notification_email

    outgoing = notification_email(notification)
    return outgoing is not None and send_once(outgoing)


# `at`: the moment the email was found due, so that `jobs send-due --at` writes each email as
# of then (the queue, who is silent) and not only for then's day. Jobs queued without it
# (before it was passed) are written as of when they run.

@mail_task
def send_digest(user_id: int, day: date, at: datetime | None = None) -> bool:
    return digests.send_digest(user_id, day, at or utcnow())


@mail_task
def send_morning(user_id: int, day: date, at: datetime | None = None) -> bool:
    return digests.send_morning(user_id, day, at or utcnow())


def queue_due(now: datetime, any_hour: bool = False) -> int:
    """Enqueue the digests and morning emails due `now` (any_hour: today's, whatever the
    hour), each to be written as of `now`. Returns how many."""
    queued = 0
    for user_id, day in digests.due_digests(now, any_hour):
        huey.enqueue(send_digest.s(user_id, day, now))
        queued += 1
    for user_id, day in digests.due_mornings(now, any_hour):
        huey.enqueue(send_morning.s(user_id, day, now))
        queued += 1
    return queued


def announce_stages(now: datetime) -> int:
    """Tell learners about stages that opened today by their date (progress.announcements),
    one run at a time however many workers run this job (a huey lock, in the queue's
    storage, which every worker shares). Returns how many were told."""
    try:
        with huey.lock_task("announce-stages"):
            told = announce_opened_today(now)
            db.session.commit()  # the notifications' emails are queued as this commits
            return told
    except TaskLockedException:  # another worker is telling them now
        return 0


@periodic_task(crontab(minute="*/15"))
def find_due() -> int:
    now = utcnow()
    announce_stages(now)
    return queue_due(now)
