"""Sending one email from a worker: at most once per key, retried with back-off while the
mail server is down, and never lost to a worker that died half-way.

The key is claimed first (a SentMail row holding the message, committed; its unique
constraint means a second worker with the same message stops there), then the message goes
and the row is marked sent. If the server can't take it (TRANSIENT: refused, unreachable,
timed out), or the database is busy or unreachable, the claim is removed (when it was made)
and the job raises, so huey tries again later (30 s, 1, 2, 4... minutes). Any other error
is a fault in the code: logged once with its traceback, not retried. A claim older than
STALE_CLAIM and still unsent belongs to a worker that died between claim and send:
`resend_stale` (every 15 minutes) queues it again, and the first job to take the stale
claim over sends it.
"""

import dataclasses
import functools
import logging
import smtplib
from datetime import datetime, timedelta

from huey import crontab
from huey.exceptions import CancelExecution
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from .. import database, mail
from ..clock import utcnow
from ..extensions import db
from ..mail.models import SentMail
from .queue import huey, on_commit, periodic_task, task

RETRIES = 10
RETRY_DELAY = 30  # seconds before the first retry; doubled each time
# OSError: refused, unreachable, timed out; and the database busy or unreachable, which would
# otherwise lose the message (its claim could not be written).
TRANSIENT = (OSError, smtplib.SMTPException, *database.TROUBLE)
STALE_CLAIM = timedelta(minutes=10)  # sending takes seconds (MAIL_TIMEOUT 10 s) or fails
log = logging.getLogger(__name__)


def mail_task(fn):
    """A job that sends mail: retried with back-off while the mail server can't take it;
    any other exception fails the job once, loudly, in the log."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except TRANSIENT:
            raise
        except Exception as error:
            log.exception("job %s failed: not retried (a fault, not the mail server)",
                          fn.__name__)
            raise CancelExecution(retry=False) from error

    return task(retries=RETRIES, retry_delay=RETRY_DELAY, retry_backoff=2)(run)


def claim(outgoing: mail.Outgoing, now: datetime) -> bool:
    """Take the message's key for this worker: a new claim, or one left unsent for longer
    than STALE_CLAIM. False when it was sent already or another worker is sending it."""
    db.session.add(SentMail(key=outgoing.key, claimed_at=now,
                            message=dataclasses.asdict(outgoing)))
    try:
        db.session.commit()
        return True
    except IntegrityError:
        db.session.rollback()
    # One statement: of two workers taking the same stale claim over, one changes the row.
    taken = db.session.execute(
        update(SentMail).where(SentMail.key == outgoing.key, SentMail.sent_at.is_(None),
                               SentMail.claimed_at < now - STALE_CLAIM)
        .values(claimed_at=now)).rowcount
    db.session.commit()
    return taken == 1


def release(key: str) -> None:
    db.session.execute(delete(SentMail).where(SentMail.key == key))
    db.session.commit()


def send_once(outgoing: mail.Outgoing) -> bool:
    """Send it unless its key was sent before (or is being sent). True when it went; raises
    when it could not go (the key is free again, for the retry)."""
    if outgoing.key and not claim(outgoing, utcnow()):
        log.info("mail %s was sent already or is being sent: not again", outgoing.key)
        return False
    try:
        mail.deliver(outgoing)
    except Exception:  # not sent: the key is free again (a fault is not resent by itself)
        db.session.rollback()
        if outgoing.key:
            release(outgoing.key)
        raise
    if outgoing.key:
        db.session.execute(update(SentMail).where(SentMail.key == outgoing.key)
                           .values(sent_at=utcnow(), message=None))
    db.session.commit()  # and the development mailbox's row
    return True


@mail_task
def deliver(outgoing: mail.Outgoing) -> bool:
    return send_once(outgoing)


def send_after_commit(outgoing: mail.Outgoing) -> None:
    """Queue the email to go once the current transaction commits."""
    on_commit(deliver.s(outgoing))


def resend_stale(now: datetime) -> int:
    """Queue again the messages claimed more than STALE_CLAIM ago and never sent. Returns
    how many."""
    stale = db.session.scalars(select(SentMail).where(
        SentMail.sent_at.is_(None), SentMail.claimed_at < now - STALE_CLAIM,
        SentMail.message.is_not(None))).all()
    for row in stale:
        huey.enqueue(deliver.s(mail.Outgoing(**row.message)))
    return len(stale)


@periodic_task(crontab(minute="*/15"))
def find_stale() -> int:
    return resend_stale(utcnow())
