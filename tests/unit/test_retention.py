"""Withdrawn posts keep their text WITHDRAWN_POST_DAYS (30) days, then `purge-withdrawn`
blanks it, with earlier versions and quotes; running it again changes nothing."""

from datetime import timedelta

from sqlalchemy import func, select

from course_app.auth.models import Role
from course_app.clock import utcnow
from course_app.discussions import services as discussions
from course_app.discussions.models import Post, PostRevision
from course_app.discussions.weaves import Citation, store
from course_app.extensions import db


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
