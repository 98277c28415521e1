"""What a mail job does when sending fails (jobs/sending.py): retried only when the mail server
could not take the message or the database was busy or gone; a fault in the code fails once,
loudly, in the log; a message a dead worker claimed but never sent is sent later, once."""

import dataclasses
import logging
import smtplib
import sqlite3
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from course_app import mail
from course_app.clock import utcnow
from course_app.extensions import db
from course_app.jobs import queue, sending
from course_app.mail import Outgoing
from course_app.mail.models import SentMail

MESSAGE = Outgoing(to="ana@example.org", subject="Hello", text="Words.", key="test:claims")


def _failing(error):
    def fails(*_args):
        raise error
    return fails


def test_a_fault_in_the_code_fails_once_in_the_log(mailing_app, smtp_server, monkeypatch,
                                                   caplog):
    monkeypatch.setattr(mail, "deliver", _failing(KeyError("a bug")))
    sending.send_after_commit(MESSAGE)
    db.session.commit()
    with caplog.at_level(logging.ERROR, logger=sending.__name__):
        assert queue.run_pending() == 1
    assert queue.huey.scheduled() == [] and queue.pending_count() == 0  # not retried
    [logged] = [r for r in caplog.records if r.name == sending.__name__]
    assert "not retried" in logged.getMessage() and logged.exc_info[0] is KeyError
    assert db.session.scalars(select(SentMail)).all() == []  # not resent by itself either


def _assert_retried_once(error) -> None:
    """The message's job, failing with `error`, is scheduled again with one try fewer."""
    sending.send_after_commit(MESSAGE)
    db.session.commit()
    assert queue.run_pending() == 1
    [retry] = queue.huey.scheduled()
    assert retry.retries == sending.RETRIES - 1, error
    queue.huey.flush()


def test_a_refusing_or_silent_server_is_retried(mailing_app, smtp_server, monkeypatch):
    for error in (smtplib.SMTPServerDisconnected("gone"), TimeoutError("timed out"),
                  ConnectionRefusedError("refused")):
        monkeypatch.setattr(mail, "deliver", _failing(error))
        _assert_retried_once(error)


def test_a_database_that_is_busy_or_gone_is_retried_not_lost(mailing_app, smtp_server,
                                                              monkeypatch):
    """The claim can't be written: the job tries again later, as for the mail server, and
    the message goes once the database is back."""
    real_claim = sending.claim
    for error in (OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked")),
                  PoolTimeout("no connection free in time")):
        monkeypatch.setattr(sending, "claim", _failing(error))
        _assert_retried_once(error)
    monkeypatch.setattr(sending, "claim", real_claim)
    assert sending.send_once(MESSAGE)
    assert [r.rcpt_tos for r in smtp_server.received] == [["ana@example.org"]]


def _claimed(minutes_ago: int, sent: bool = False) -> SentMail:
    now = utcnow()
    row = SentMail(key=MESSAGE.key, claimed_at=now - timedelta(minutes=minutes_ago),
                   sent_at=now if sent else None,
                   message=None if sent else dataclasses.asdict(MESSAGE))
    db.session.add(row)
    db.session.commit()
    return row


def test_a_claim_a_dead_worker_left_is_sent_later_once(mailing_app, smtp_server):
    row = _claimed(minutes_ago=sending.STALE_CLAIM.seconds // 60 + 1)
    assert sending.resend_stale(utcnow()) == 1
    assert sending.resend_stale(utcnow()) == 1  # queued twice (two sweeps): sent once
    assert queue.run_pending() == 2
    assert [r.rcpt_tos for r in smtp_server.received] == [["ana@example.org"]]
    assert smtp_server.received[0].message["Subject"] == "Hello"
    db.session.refresh(row)
    assert row.sent_at is not None and row.message is None  # the text isn't kept once sent
    assert sending.resend_stale(utcnow()) == 0


def test_a_recent_claim_or_a_sent_message_is_not_sent_again(mailing_app, smtp_server):
    row = _claimed(minutes_ago=1)  # another worker is sending it now
    assert sending.resend_stale(utcnow()) == 0
    assert sending.send_once(MESSAGE) is False
    db.session.delete(row)
    db.session.commit()
    _claimed(minutes_ago=60, sent=True)
    assert sending.resend_stale(utcnow()) == 0
    assert sending.send_once(MESSAGE) is False
    assert smtp_server.received == []
