"""Email against a real SMTP server (aiosmtpd on 127.0.0.1, tests/smtp_server.py): what a reply
sends, to whom, with which parts, links and unsubscribe headers; nothing from hidden posts or
for people removed from the cohort; nothing from a rolled-back request; retries while the
server is down; one message however many workers race for it."""

import os
import re
import threading
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from conftest import Factory, login
from course_app import create_app
from course_app.auth.models import Role
from course_app.clock import utcnow
from course_app.cohorts.services import membership_of
from course_app.discussions import services as discussions
from course_app.discussions.reading import post_path
from course_app.extensions import db
from course_app.facilitate.moderation import hide_post
from course_app.facilitate.people import remove_member
from course_app.jobs import queue, sending
from course_app.mail import Outgoing
from course_app.mail.models import SentMail
from course_app.mailings import preferences
from course_app.mailings.models import Delivery, EmailPreference
from course_app.notifications.models import NotificationKind
from course_app.notifications.services import notify
from database import own_database
from learner_journey import start, text


@pytest.fixture
def reply_setting(mailing_app):
    factory = Factory()
    facilitator = factory.user(Role.FACILITATOR, name="Fran Facilitator")
    cohort = factory.cohort(facilitator=facilitator, name="Mail cohort")
    ana = factory.learner_in(cohort, name="Ana Author", email="ana@example.org")
    ben = factory.learner_in(cohort, name="Ben Replier", email="ben@example.org")
    thread = start(cohort, ana, "introduce-yourself", title="Hello from Ana")
    db.session.commit()
    queue.huey.flush()
    return cohort, facilitator, ana, ben, thread


def _reply(thread, ben, words="A reply with SECRET-WORDS in it."):
    post = discussions.reply(thread, ben, words, utcnow())
    db.session.commit()
    return post


def test_a_reply_emails_its_author_with_both_parts_and_a_working_unsubscribe(
        mailing_app, smtp_server, reply_setting):
    cohort, _facilitator, ana, ben, thread = reply_setting
    post = _reply(thread, ben)
    assert queue.run_pending() == 1
    assert [r.rcpt_tos for r in smtp_server.received] == [["ana@example.org"]]
    got = smtp_server.received[0]
    message = got.message
    # Flask-Mailman folds a long non-ASCII subject onto the next line: unfolded, it starts
    # with a space that mail programs drop.
    assert message["Subject"].strip() == (
        "Ben Replier replied to your post in “Hello from Ana” (Mail cohort)")
    assert message["To"] == "ana@example.org"
    link = f"http://course.test{post_path(cohort.id, thread.id, post.id)}"
    plain, html = got.part("text/plain"), got.part("text/html")
    assert "Hello Ana Author," in plain and link in plain and "SECRET-WORDS" in plain
    assert f'href="{link}"' in html and "SECRET-WORDS" in html
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.fullmatch(r"<(http://course\.test(/email/unsubscribe/\S+))>",
                               message["List-Unsubscribe"].strip())
    assert unsubscribe and unsubscribe.group(1) in plain and unsubscribe.group(1) in html
    client = mailing_app.test_client()  # not logged in
    page = client.get(unsubscribe.group(2))
    assert page.status_code == 200 and "Stop emails about replies to your posts?" in text(page)
    assert preferences.of(ana.id).replies == Delivery.NOW  # GET changes nothing
    done = client.post(unsubscribe.group(2), data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "You're unsubscribed" in text(done)
    assert preferences.of(ana.id).replies == Delivery.OFF
    _reply(thread, ben, "Another reply.")
    queue.run_pending()
    assert len(smtp_server.received) == 1  # no more reply emails; still in the app


def test_a_name_stored_with_a_line_break_still_makes_a_one_line_subject(
        mailing_app, smtp_server, reply_setting):
    """Names and titles are kept on one line as they are typed; one stored before that (or by
    hand) must not make every email about that person or cohort impossible to build."""
    cohort, _facilitator, _ana, ben, thread = reply_setting
    ben.name, cohort.name = "Ben\r\nBcc: someone@evil.example", "Mail\ncohort"
    db.session.commit()
    _reply(thread, ben)
    queue.run_pending()
    [got] = smtp_server.received
    assert got.rcpt_tos == ["ana@example.org"]
    assert got.message["Subject"].strip() == ("Ben Bcc: someone@evil.example replied to your "
                                              "post in “Hello from Ana” (Mail cohort)")
    assert got.message["Bcc"] is None


def test_forged_or_changed_unsubscribe_tokens_are_refused(mailing_app, reply_setting):
    _cohort, _facilitator, ana, ben, _thread = reply_setting
    client = mailing_app.test_client()
    good = preferences.unsubscribe_token(ana.id, "all")
    forged = preferences.unsubscribe_token(ana.id, "all")[:-3] + "abc"
    other = good.replace(good.split(".")[0], preferences._serializer().dumps(
        {"u": ben.id, "t": "all"}).split(".")[0])
    for token in (forged, other, "nonsense"):
        response = client.post(f"/email/unsubscribe/{token}")
        assert response.status_code == 404 and "That link doesn't work" in text(response)
    assert db.session.scalar(select(func.count()).select_from(EmailPreference)) == 0


def test_nothing_from_a_post_hidden_before_the_email_went(mailing_app, smtp_server,
                                                         reply_setting):
    cohort, facilitator, ana, ben, thread = reply_setting
    post = _reply(thread, ben)
    hide_post(cohort, post, facilitator, "Off topic", utcnow())
    db.session.commit()
    queue.run_pending()
    assert smtp_server.to("ana@example.org") == []
    # Ben hears that his post was hidden (a facilitator's message), with the reason.
    [to_ben] = smtp_server.to("ben@example.org")
    assert "Off topic" in to_ben.part("text/plain")
    assert all("SECRET-WORDS" not in r.message.as_string() for r in smtp_server.received)


def test_nothing_for_someone_removed_from_the_cohort(mailing_app, smtp_server, reply_setting):
    cohort, facilitator, ana, ben, thread = reply_setting
    _reply(thread, ben)
    remove_member(cohort, membership_of(cohort.id, ana.id), facilitator, utcnow())
    db.session.commit()
    queue.run_pending()
    assert smtp_server.to("ana@example.org") == []


def test_a_rolled_back_request_queues_nothing(mailing_app, reply_setting):
    _cohort, _facilitator, ana, _ben, _thread = reply_setting

    @mailing_app.get("/test-notify-then-fail")
    def notify_then_fail():
        notify(ana.id, NotificationKind.MESSAGE, "You won't get this", utcnow())
        raise RuntimeError("the request fails after the notification was flushed")

    mailing_app.config["PROPAGATE_EXCEPTIONS"] = False  # answered by our error page
    client = mailing_app.test_client()
    login(client, ana)
    assert client.get("/test-notify-then-fail").status_code == 500
    assert queue.pending_count() == 0
    notify(ana.id, NotificationKind.MESSAGE, "You will get this", utcnow())
    db.session.rollback()
    assert queue.pending_count() == 0
    notify(ana.id, NotificationKind.MESSAGE, "You will get this", utcnow())
    assert queue.pending_count() == 0  # not before the commit
    db.session.commit()
    assert queue.pending_count() == 1


def test_retried_with_back_off_while_the_server_is_down(mailing_app, smtp_server,
                                                        reply_setting):
    _cohort, _facilitator, _ana, ben, thread = reply_setting
    smtp_server.down()
    _reply(thread, ben)
    queue.run_pending()
    assert smtp_server.received == []
    [(retry, eta)] = [(t, t.eta) for t in queue.huey.scheduled()]
    assert retry.retries == sending.RETRIES - 1
    assert retry.retry_delay == sending.RETRY_DELAY * 2  # the next wait is longer
    assert db.session.scalar(select(func.count()).select_from(SentMail)) == 0  # key released
    smtp_server.up()
    when = eta + timedelta(seconds=1)  # the retry's time has come
    for task in queue.huey.read_schedule(when):
        queue.huey.execute(task, timestamp=when)
    assert [r.rcpt_tos for r in smtp_server.received] == [["ana@example.org"]]
    assert queue.huey.scheduled() == []


def _sqlite_queue(tmp_path):
    from huey.storage import SqliteStorage

    return SqliteStorage(queue.NAME, filename=str(tmp_path / "jobs.sqlite"))


def _redis_queue(_tmp_path):
    """Redis at REDIS_URL (CI's PostgreSQL run starts one), a queue of this test's own."""
    from huey.storage import RedisStorage

    if not os.environ.get("REDIS_URL"):
        pytest.skip("set REDIS_URL to test the queue on Redis (CI does)")
    return RedisStorage(f"course_app-test-{uuid.uuid4().hex}", url=os.environ["REDIS_URL"])


@pytest.mark.parametrize("storage", [_sqlite_queue, _redis_queue], ids=["sqlite", "redis"])
def test_exactly_once_when_two_workers_race_for_one_message(tmp_path, smtp_server, storage):
    """Two consumers take the same message (enqueued twice) from a shared queue and run it
    at the same moment against one database of their own (PostgreSQL when the tests run on
    it: the claim's unique key is what stops the second): the SMTP server gets it once."""
    before = queue.huey.storage  # the tests' memory queue (create_app replaces it)
    with own_database(tmp_path, "course_mail_race") as url:
        app = create_app({"TESTING": True, "SECRET_KEY": "x", "BASE_URL": "http://course.test",
                          "SQLALCHEMY_DATABASE_URI": url, "MAIL_SERVER": "127.0.0.1",
                          "MAIL_PORT": smtp_server.port, "JOBS_STORAGE": "memory"})
        queue.huey.storage = storage(tmp_path)
        try:
            _race(app, smtp_server)
        finally:
            queue.huey.storage.flush_all()  # the Redis queue is this test's own
            queue.huey.storage = before
            with app.app_context():
                db.engine.dispose()


def _race(app, smtp_server):
    with app.app_context():
        db.create_all()
    message = Outgoing(to="ana@example.org", subject="Once", text="Only once.",
                       key="test:once")
    queue.huey.enqueue(sending.deliver.s(message))
    queue.huey.enqueue(sending.deliver.s(message))
    jobs = [queue.huey.dequeue(), queue.huey.dequeue()]
    assert None not in jobs and queue.huey.dequeue() is None
    ready = threading.Barrier(2)
    errors = []

    def worker(job):
        try:
            with app.app_context():
                ready.wait(timeout=10)
                queue.huey.execute(job)
        except Exception as error:  # shown by the assert below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(smtp_server.received) == 1
    with app.app_context():
        assert db.session.scalars(select(SentMail.key)).all() == ["test:once"]


def test_without_a_mail_server_mail_goes_to_the_development_mailbox(make_app):
    app = make_app()
    with app.app_context():
        factory = Factory()
        admin = factory.user(Role.ADMIN, name="Ada Admin")
        learner = factory.user(name="Lee Learner")
        sending.send_after_commit(Outgoing(to="lee@example.org", subject="Hello Lee",
                                           text="Plain words", html="<p>HTML words</p>",
                                           key="test:mailbox",
                                           headers={"List-Unsubscribe": "<http://x/u>"}))
        db.session.commit()
        assert queue.run_pending() == 1
        as_learner, as_admin = app.test_client(), app.test_client()
        login(as_learner, learner)
        assert as_learner.get("/admin/mailbox").status_code == 403
        login(as_admin, admin)
        page = as_admin.get("/admin/mailbox")
        assert page.status_code == 200
        words = text(page)
        assert "Hello Lee" in words and "lee@example.org" in words and "Plain words" in words
        assert "&lt;p&gt;HTML words&lt;/p&gt;" in page.get_data(as_text=True)
        assert "<http://x/u>" in words


def test_a_message_key_is_sent_once(mailing_app, smtp_server):
    message = Outgoing(to="ana@example.org", subject="Once", text="Only once.", key="k:1")
    assert sending.send_once(message) is True
    assert sending.send_once(message) is False
    assert len(smtp_server.received) == 1
    assert isinstance(db.session.scalar(select(SentMail.sent_at)), datetime)
