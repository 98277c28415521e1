"""The counts tables (activity per learner and e-tivity and per week, reply pairs, reads per
thread) are kept as things happen; rebuilding them from the log, the posts and the reads
gives the same rows, whatever happened in between."""

import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from course_app.auth.models import Role
from course_app.clock import utcnow
from course_app.cohorts.models import MemberRole
from course_app.cohorts.services import add_member
from course_app.discussions import counts as discussion_counts
from course_app.discussions import reading
from course_app.discussions import services as discussions
from course_app.discussions.models import Post, ReplyPair, Thread, ThreadRead
from course_app.extensions import db
from course_app.facilitate import moderation
from course_app.progress import counts as progress_counts
from course_app.progress.models import Activity, ActivityCount, ActivityWeek, Mode
from course_app.progress.standing import counts_for, weekly_profile


def snapshot(cohort_id: int) -> dict[str, list[tuple]]:
    """Every kept row of the cohort, in a fixed order."""
    threads = select(Thread.id).where(Thread.cohort_id == cohort_id)

    def rows(model, *where):
        table = model.__table__
        return [tuple(r) for r in db.session.execute(
            select(table).where(*where).order_by(*table.primary_key.columns))]

    return {
        "activity_count": rows(ActivityCount, ActivityCount.cohort_id == cohort_id),
        "activity_week": rows(ActivityWeek, ActivityWeek.cohort_id == cohort_id),
        "reply_pair": rows(ReplyPair, ReplyPair.cohort_id == cohort_id),
        "thread_read": rows(ThreadRead, ThreadRead.thread_id.in_(threads)),
    }


def rebuilt(cohort_id: int) -> dict[str, list[tuple]]:
    progress_counts.rebuild_cohort(cohort_id)
    discussion_counts.rebuild_cohort(cohort_id)
    db.session.flush()
    db.session.expire_all()
    return snapshot(cohort_id)


def random_course_run(factory, seed: int, steps: int):
    """Learners and a facilitator start pieces, reply (to peers, to themselves, to staff),
    read pages, withdraw posts; the facilitator hides posts and shows them again. Over five
    weeks, so the weekly counts span several rows."""
    rng = random.Random(seed)
    cohort = factory.cohort()
    facilitator = cohort.memberships[0].user
    reviewer = factory.user(Role.FACILITATOR)
    add_member(cohort, reviewer, MemberRole.REVIEWER, utcnow())
    learners = [factory.learner_in(cohort) for _ in range(6)]
    people = learners + [facilitator, reviewer]
    etivities = [e for e in cohort.course.active_etivities if e.stage_number <= 2][:4]
    threads: list[Thread] = []
    at = utcnow() - timedelta(weeks=6)
    for step in range(steps):
        at += timedelta(minutes=rng.randint(10, 500))  # 160 steps: about five weeks
        action = rng.random()
        who = rng.choice(people)
        posts = [p for t in threads for p in t.posts]
        if action < 0.15 or not threads:
            author = rng.choice(learners + [facilitator])
            threads.append(discussions.start_thread(
                cohort, rng.choice(etivities), author, f"Piece {step}", "My piece.", at))
        elif action < 0.5:
            thread = rng.choice(threads)
            visible = [p for p in thread.posts if p.visible]
            parent = rng.choice(visible) if visible and rng.random() < 0.7 else None
            discussions.reply(thread, rng.choice(learners + [facilitator]), f"Reply {step}",
                              at, parent=parent)
        elif action < 0.8:
            thread = rng.choice(threads)
            page = reading.posts_page(thread, rng.randint(1, 2))
            discussions.mark_shown(thread, who, page.items, at)
        elif action < 0.88:
            shown = [p for p in posts if p.visible]
            if shown:
                moderation.hide_post(cohort, rng.choice(shown), facilitator, "Off topic", at)
        elif action < 0.95:
            hidden = [p for p in posts if p.hidden_at is not None]
            if hidden:
                moderation.show_post(cohort, rng.choice(hidden), facilitator, at)
        else:
            own = [p for p in posts if p.visible and p.author_id in {u.id for u in learners}]
            if own:
                post = rng.choice(own)
                discussions.delete_post(post, post.author, at)
        db.session.flush()
    db.session.commit()
    return cohort, learners


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_counts_agree_with_counts_rebuilt_from_the_log(factory, seed):
    cohort, _ = random_course_run(factory, seed, steps=160)
    live = snapshot(cohort.id)
    assert live["activity_count"] and live["activity_week"] and live["reply_pair"]
    assert rebuilt(cohort.id) == live


def test_standing_and_the_weekly_profile_read_what_the_log_says(factory):
    """An independent recount from the activity log, as the pages computed it before the
    counts tables: distinct posts read and started, distinct peers replied to; events per
    week, voided evidence left out."""
    cohort, learners = random_course_run(factory, 4, steps=160)
    log = db.session.scalars(select(Activity).where(Activity.cohort_id == cohort.id)).all()
    assert any(a.voided_at for a in log), "the run should have hidden something"
    expected: dict[tuple[int, int], list[set]] = {}
    for a in log:
        sets = expected.setdefault((a.user_id, a.etivity_id), [set(), set(), set()])
        if a.voided_at is None:
            index = [Mode.OBSERVE, Mode.INTERACT, Mode.INITIATE].index(a.kind)
            sets[index].add(a.peer_id if a.kind == Mode.INTERACT else a.post_id)
    assert {key: (c.observe, c.interact, c.initiate)
            for key, c in counts_for(cohort.id).items()} == {
        key: tuple(len(s) for s in sets) for key, sets in expected.items()}
    today = utcnow().date()
    for user in learners + [None]:
        weeks = {w.start: (w.observe, w.interact, w.initiate)
                 for w in weekly_profile(cohort.id, user.id if user else None, today)}
        tally: dict = {}
        for a in log:
            if a.voided_at is None and (user is None or a.user_id == user.id):
                monday = a.created_at.date() - timedelta(days=a.created_at.weekday())
                row = tally.setdefault(monday, [0, 0, 0])
                row[[Mode.OBSERVE, Mode.INTERACT, Mode.INITIATE].index(a.kind)] += 1
        assert {d: tuple(v) for d, v in tally.items()} == {
            d: v for d, v in weeks.items() if any(v)}


def test_reply_positions_follow_on_and_pages_are_ranges(factory):
    cohort, _ = random_course_run(factory, 5, steps=80)
    for thread in db.session.scalars(select(Thread).where(Thread.cohort_id == cohort.id)):
        positions = list(db.session.scalars(
            select(Post.position).where(Post.thread_id == thread.id).order_by(Post.id)))
        assert positions == list(range(len(positions)))


def test_the_first_unread_post_starts_where_the_reader_stopped(factory):
    """Reading page 2 first leaves the mark at the start; reading page 1 then moves it past
    both pages; a new reply is the first unread."""
    cohort = factory.cohort()
    ana, ben = factory.learner_in(cohort), factory.learner_in(cohort)
    etivity = cohort.course.active_etivities[0]
    thread = discussions.start_thread(cohort, etivity, ana, "Long", "Hello.", utcnow())
    for n in range(reading.POSTS_PER_PAGE * 2 - 1):
        discussions.reply(thread, ana, f"Reply {n}", utcnow())
    db.session.commit()

    def mark():
        return db.session.scalar(select(ThreadRead.through).where(
            ThreadRead.user_id == ben.id, ThreadRead.thread_id == thread.id))

    discussions.mark_shown(thread, ben, reading.posts_page(thread, 2).items, utcnow())
    assert mark() == 0
    assert reading.first_unread_post(thread, ben).position == 0
    discussions.mark_shown(thread, ben, reading.posts_page(thread, 1).items, utcnow())
    assert mark() == reading.POSTS_PER_PAGE * 2
    assert reading.first_unread_post(thread, ben) is None
    late = discussions.reply(thread, ana, "Late", utcnow())
    assert reading.first_unread_post(thread, ben) == late


def test_rebuild_counts_command(factory, runner):
    cohort, _ = random_course_run(factory, 6, steps=60)
    live = snapshot(cohort.id)
    db.session.execute(ActivityCount.__table__.delete())
    db.session.execute(ReplyPair.__table__.delete())
    db.session.commit()
    result = runner.invoke(args=["progress", "rebuild-counts"])
    assert result.exit_code == 0, result.output
    assert "Counts rebuilt for" in result.output
    db.session.expire_all()
    assert snapshot(cohort.id) == live
    assert runner.invoke(args=["progress", "rebuild-counts", "--cohort", "999999"]).exit_code == 1
