"""Withdrawn posts keep their text WITHDRAWN_POST_DAYS (30) days, then `purge-withdrawn`
blanks it, with earlier versions and quotes; running it again changes nothing. Mail records
keep MAIL_KEEP_DAYS (30) days, then the worker's daily job deletes them."""

from datetime import datetime, timedelta

from sqlalchemy import func, select

from course_app.auth.models import Role
from course_app.clock import utcnow
from course_app.discussions import services as discussions
from course_app.discussions.models import Post, PostRevision
from course_app.discussions.weaves import Citation, store
from course_app.extensions import db
from course_app.jobs import retention
from course_app.mail.models import MailboxMessage, SentMail


def test_purge_withdrawn_blanks_old_withdrawn_posts_only(runner, factory):
    cohort = factory.cohort()
    learner = factory.learner_in(cohort)
    facilitator = factory.user(Role.FACILITATOR)
    etivity = next(e for e in cohort.course.etivities if e.slug == "introduce-yourself")
    long_ago, lately = utcnow() - timedelta(days=31), utcnow() - timedelta(days=29)
    thread = discussions.start_thread(cohort, etivity, learner, "Hi", "Opening words", long_ago)
    old = discussions.reply(thread, learner, "First version", long_ago)
    discussions.edit_post(old, learner, "Second version", long_ago)
    discussions.delete_post(old, learner, long_ago)
    recent = discussions.reply(thread, learner, "Withdrawn lately", lately)
    discussions.delete_post(recent, learner, lately)
    kept = discussions.reply(thread, learner, "Still shown", long_ago)
    store(cohort, etivity, facilitator, "Weave", "Summary", [(old, "Second version")], long_ago)
    db.session.commit()

    result = runner.invoke(args=["purge-withdrawn"])
    assert result.exit_code == 0, result.output
    assert "Blanked 1 post withdrawn more than 30 days ago (1 earlier version removed)" \
        in result.output
    db.session.expire_all()
    assert db.session.get(Post, old.id).body == ""
    assert db.session.get(Post, old.id).deleted_at is not None  # the post itself stays
    assert db.session.scalar(select(func.count()).select_from(PostRevision)) == 0
    assert db.session.scalar(select(Citation.quote).where(Citation.cited_post_id == old.id)) == ""
    assert db.session.get(Post, recent.id).body == "Withdrawn lately"
    assert db.session.get(Post, kept.id).body == "Still shown"

    again = runner.invoke(args=["purge-withdrawn"])
    assert "Blanked 0 posts" in again.output
    everything = runner.invoke(args=["purge-withdrawn", "--days", "0"])
    assert "Blanked 1 post" in everything.output
    db.session.expire_all()
    assert db.session.get(Post, recent.id).body == ""


def test_old_mail_records_are_purged_daily(app):
    """The development mailbox and the sent-mail keys keep MAIL_KEEP_DAYS (30) days."""
    now = utcnow()
    for days in (31, 29):
        db.session.add(MailboxMessage(to="a@example.org", subject=f"{days} days old", text="",
                                      created_at=now - timedelta(days=days)))
        db.session.add(SentMail(key=f"k:{days}", claimed_at=now - timedelta(days=days),
                                sent_at=now - timedelta(days=days)))
    db.session.add(SentMail(key="k:unsent", claimed_at=now - timedelta(days=40),
                            message={"to": "a@example.org"}))
    db.session.commit()
    assert retention.purge_old_mail.call_local() == (1, 2)
    assert db.session.scalars(select(MailboxMessage.subject)).all() == ["29 days old"]
    assert db.session.scalars(select(SentMail.key)).all() == ["k:29"]
    assert retention.purge_mail(now, 30) == (0, 0)  # again: nothing more
    daily = retention.purge_old_mail.task_class().validate_datetime
    assert daily(datetime(2026, 12, 1, 3, 30)) and not daily(datetime(2026, 12, 1, 4, 30))
