"""Sending one email from a worker: at most once per key, retried with back-off while the
mail server is down.

The key is claimed first (a SentMail row, committed; its unique constraint means a second
worker with the same message stops there), then the message goes; if sending fails the claim
is removed and the job raises, so huey tries again later (30 s, 1, 2, 4... minutes).
"""

import smtplib

from flask import current_app
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from .. import mail
from ..clock import utcnow
from ..extensions import db
from ..mail.models import SentMail
from .queue import on_commit, task

RETRIES = 10
RETRY_DELAY = 30  # seconds before the first retry; doubled each time
TRANSIENT = (OSError, smtplib.SMTPException)
# Every job that sends mail takes these: while the server is down it is tried again later.
RETRYING = {"retries": RETRIES, "retry_delay": RETRY_DELAY, "retry_backoff": 2}


def claim(key: str) -> bool:
    """Take the key for this worker; False when it was already taken (sent, or being sent)."""
    db.session.add(SentMail(key=key, sent_at=utcnow()))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def release(key: str) -> None:
    db.session.execute(delete(SentMail).where(SentMail.key == key))
    db.session.commit()


def send_once(outgoing: mail.Outgoing) -> bool:
    """Send it unless its key was sent before. True when it went; raises when the server
    could not take it (the key is free again for the retry)."""
    if outgoing.key and not claim(outgoing.key):
        current_app.logger.info("mail %s was sent already: not again", outgoing.key)
        return False
    try:
        mail.deliver(outgoing)
    except TRANSIENT:
        db.session.rollback()
        if outgoing.key:
            release(outgoing.key)
        raise
    db.session.commit()  # the development mailbox's row
    return True


@task(**RETRYING)
def deliver(outgoing: mail.Outgoing) -> bool:
    return send_once(outgoing)


def send_after_commit(outgoing: mail.Outgoing) -> None:
    """Queue the email to go once the current transaction commits."""
    on_commit(deliver.s(outgoing))
