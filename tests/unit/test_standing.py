"""Reading standing: the weekly participation profile, and "stage finished" for a learner."""

from datetime import timedelta

from sqlalchemy import select

from course_app.clock import utcnow
from course_app.cohorts.models import Membership
from course_app.discussions import services as discussions
from course_app.extensions import db
from course_app.progress import rules
from course_app.progress.evidence import void_post
from course_app.progress.models import Activity
from course_app.progress.overrides import mark_complete_by_hand, open_early
from course_app.progress.rules import Counts, EtivityState
from course_app.progress.standing import (
    cohort_progress,
    etivity_access,
    is_stuck,
    learner_progress,
    weekly_profile,
)
from learner_journey import etivity, finish_stage_1, start

# ---- the weekly profile ----------------------------------------------------------

def test_weekly_profile_counts_events_per_week_and_fills_gaps(factory):
    cohort = factory.cohort()
    learner, peer = factory.learner_in(cohort), factory.learner_in(cohort)
    today = utcnow().date()
    monday = today - timedelta(days=today.weekday())
    three_weeks_ago = utcnow() - timedelta(weeks=3)
    theirs = start(cohort, peer, "introduce-yourself", three_weeks_ago)
    start(cohort, learner, "introduce-yourself", three_weeks_ago)
    discussions.mark_shown(theirs, learner, list(theirs.posts), three_weeks_ago)
    discussions.reply(theirs, learner, "Hi!", utcnow())
    hidden = start(cohort, learner, "time-and-help", utcnow())
    void_post(hidden.posts[0].id, utcnow())
    db.session.commit()
    # The learner joined a minute ago, but acted earlier: the profile starts with the activity.
    weeks = weekly_profile(cohort.id, learner.id, today)
    assert [w.start for w in weeks] == [monday - timedelta(weeks=n) for n in (3, 2, 1, 0)]
    assert [w.as_tuple()[1:] for w in weeks] == [(1, 0, 1), (0, 0, 0), (0, 0, 0), (0, 1, 0)]


def test_weekly_profile_of_someone_who_just_joined_is_one_empty_week(factory):
    cohort = factory.cohort()
    learner = factory.learner_in(cohort)
    today = utcnow().date()
    assert [w.as_tuple()[1:] for w in weekly_profile(cohort.id, learner.id, today)] == [(0, 0, 0)]


def test_weekly_profile_keeps_to_the_last_weeks(factory):
    cohort = factory.cohort()
    learner = factory.learner_in(cohort)
    today = utcnow().date() + timedelta(weeks=40)
    assert len(weekly_profile(cohort.id, learner.id, today, weeks=26)) == 26


def test_activity_rows_are_what_the_profile_counts(factory):
    """Guard against the profile drifting from the activity log it reads."""
    cohort = factory.cohort()
    learner, peer = factory.learner_in(cohort), factory.learner_in(cohort)
    finish_stage_1(cohort, learner, peer)
    db.session.commit()
    total = sum(w.observe + w.interact + w.initiate
                for w in weekly_profile(cohort.id, learner.id, utcnow().date()))
    assert total == db.session.query(Activity).filter_by(user_id=learner.id).count()


# ---- stage finished, for a learner ---------------------------------------------------

def test_stage_finished_follows_the_required_etivities(factory):
    cohort = factory.cohort()
    learner, peer = factory.learner_in(cohort), factory.learner_in(cohort)
    today = utcnow().date()
    assert not learner_progress(cohort, learner.id, today).stage_finished(1)
    finish_stage_1(cohort, learner, peer)
    db.session.commit()
    standing = learner_progress(cohort, learner.id, today)
    assert standing.stage_finished(1) and standing.stages[2].open
    assert not standing.stage_finished(2)


def test_a_stage_marked_complete_while_locked_is_not_finished(factory):
    """Every required e-tivity of stage 2 done by hand while stage 2 is still locked: the
    map, the reports and the next stage agree that stage 2 is not finished yet."""
    cohort = factory.cohort()
    learner = factory.learner_in(cohort)
    facilitator_id = cohort.memberships[0].user_id
    required = [e for e in cohort.course.etivities_in(2) if e.required]
    assert required
    for e in required:
        mark_complete_by_hand(cohort, learner.id, e.id, facilitator_id, utcnow())
    db.session.commit()
    standing = learner_progress(cohort, learner.id, utcnow().date())
    assert not standing.stages[2].open
    assert not standing.stage_finished(2) and not standing.stages[3].open


def test_stuck_asks_the_same_question_of_the_current_stage(factory):
    cohort = factory.cohort()
    learner = factory.learner_in(cohort)
    later = utcnow().date() + timedelta(days=60)
    suggested = {s.number: s.suggested_days for s in cohort.course.stages}
    assert is_stuck(learner_progress(cohort, learner.id, later), suggested, later)
    open_early(cohort, cohort.memberships[0].user_id, utcnow(), stage_number=5,
               user_id=learner.id)
    db.session.commit()
    standing = cohort_progress(cohort, later)[learner.id]
    assert standing.current_stage == 5 and not standing.stage_finished(5)
    assert is_stuck(standing, suggested, later)


# ---- one e-tivity's state, as a thread page asks it ---------------------------------------

def test_etivity_access_says_what_the_whole_standing_says(factory):
    """`etivity_access` (a thread page's question: may this learner enter?) gives every
    e-tivity the state `learner_progress` gives it: before anything, after stage 1, with an
    e-tivity opened early, a stage opened early for everyone, and one done by hand."""
    cohort = factory.cohort(paced=True, starts_on=utcnow().date())
    learner, peer = factory.learner_in(cohort), factory.learner_in(cohort)
    facilitator_id = cohort.memberships[0].user_id
    today = utcnow().date()

    def agree():
        db.session.commit()
        standing = learner_progress(cohort, learner.id, today)
        for p in standing.etivities:
            state, stages = etivity_access(cohort, learner.id, p.etivity, today)
            assert (p.etivity.slug, state) == (p.etivity.slug, p.state)
            assert stages == standing.stages
        return standing

    assert agree().stages[2].open is False
    finish_stage_1(cohort, learner, peer)
    agree()
    stage_4 = cohort.course.etivities_in(4)[0]
    open_early(cohort, facilitator_id, utcnow(), etivity_id=stage_4.id, user_id=learner.id)
    opened = next(p for p in agree().etivities if p.etivity.id == stage_4.id)
    assert opened.state == EtivityState.OPEN
    open_early(cohort, facilitator_id, utcnow(), stage_number=3)  # everyone
    mark_complete_by_hand(cohort, learner.id, cohort.course.etivities_in(5)[0].id,
                          facilitator_id, utcnow())
    assert agree().stages[3].open


# ---- the day each stage opened for a learner (suggested dates and "stuck" count from it) ----

def _joined(cohort, learner, days_ago: int) -> None:
    membership = db.session.scalar(select(Membership).where(
        Membership.cohort_id == cohort.id, Membership.user_id == learner.id))
    membership.joined_at = utcnow() - timedelta(days=days_ago)


def _done(cohort, learner, stage: int, days_ago: int, last: int | None = None) -> None:
    """The stage's required e-tivities marked complete `days_ago` days ago (the last of them
    `last` days ago, where given)."""
    required = [e for e in cohort.course.etivities_in(stage) if e.required]
    for e in required:
        ago = last if last is not None and e is required[-1] else days_ago
        mark_complete_by_hand(cohort, learner.id, e.id, cohort.memberships[0].user_id,
                              utcnow() - timedelta(days=ago))


def test_a_stage_opens_the_day_the_last_required_etivity_before_it_was_done(factory):
    cohort = factory.cohort()
    learner = factory.learner_in(cohort)
    today = utcnow().date()
    _joined(cohort, learner, 20)
    assert len([e for e in cohort.course.etivities_in(2) if e.required]) >= 2
    _done(cohort, learner, 1, 15)
    _done(cohort, learner, 2, 12, last=8)
    db.session.commit()
    opened = learner_progress(cohort, learner.id, today).opened_on
    assert opened == {1: today - timedelta(days=20), 2: today - timedelta(days=15),
                      3: today - timedelta(days=8)}


def test_after_a_stage_with_nothing_required_the_next_opens_the_same_day(factory):
    cohort = factory.cohort()
    learner = factory.learner_in(cohort)
    today = utcnow().date()
    _joined(cohort, learner, 20)
    for e in cohort.course.etivities_in(2):
        e.required = False
    _done(cohort, learner, 1, 15)
    db.session.flush()
    opened = learner_progress(cohort, learner.id, today).opened_on
    assert opened[2] == opened[3] == today - timedelta(days=15)


def test_in_a_paced_cohort_a_stage_opens_on_its_date_if_that_is_later(factory):
    today = utcnow().date()
    cohort = factory.cohort(paced=True, starts_on=today - timedelta(days=30))
    learner = factory.learner_in(cohort)
    _joined(cohort, learner, 40)  # before the cohort started
    second = cohort.release_date(2)
    assert today - timedelta(days=25) < second <= today
    _done(cohort, learner, 1, (today - second).days + 3)  # done 3 days before it
    db.session.commit()
    opened = learner_progress(cohort, learner.id, today).opened_on
    assert opened[1] == today - timedelta(days=30) and opened[2] == second


def test_a_stage_opened_early_opens_on_the_earliest_override(factory):
    cohort = factory.cohort()
    learner = factory.learner_in(cohort)
    today = utcnow().date()
    by = cohort.memberships[0].user_id
    _joined(cohort, learner, 10)
    open_early(cohort, by, utcnow() - timedelta(days=6), stage_number=4)  # for everyone
    open_early(cohort, by, utcnow() - timedelta(days=2), stage_number=4, user_id=learner.id)
    db.session.commit()
    assert learner_progress(cohort, learner.id, today).opened_on[4] == today - timedelta(days=6)


def test_an_override_opens_a_stage_earlier_than_finishing_the_one_before_did(factory):
    cohort = factory.cohort()
    learner = factory.learner_in(cohort)
    today = utcnow().date()
    by = cohort.memberships[0].user_id
    _joined(cohort, learner, 30)
    _done(cohort, learner, 1, 15)  # stage 2 reached 15 days ago, opened for all 20 days ago
    open_early(cohort, by, utcnow() - timedelta(days=20), stage_number=2)
    open_early(cohort, by, utcnow() - timedelta(days=10), stage_number=2, user_id=learner.id)
    db.session.commit()
    assert learner_progress(cohort, learner.id, today).opened_on[2] == today - timedelta(days=20)


def test_a_stage_opened_early_before_the_one_before_is_finished_opens_that_day(factory):
    """The demo: stage 1 open for three weeks and not finished; stage 2 opened for the
    learner today opened today, not when stage 1 did. Its suggested days count from today,
    and the learner is not stuck."""
    cohort = factory.cohort()
    learner = factory.learner_in(cohort)
    today = utcnow().date()
    _joined(cohort, learner, 21)
    open_early(cohort, cohort.memberships[0].user_id, utcnow(), stage_number=2,
               user_id=learner.id)
    db.session.commit()
    standing = learner_progress(cohort, learner.id, today)
    assert not standing.stage_finished(1) and standing.current_stage == 2
    assert standing.opened_on == {1: today - timedelta(days=21), 2: today}
    suggested = {s.number: s.suggested_days for s in cohort.course.stages}
    assert not is_stuck(standing, suggested, today)
    something = etivity(cohort.course, "something-of-your-own")
    first_post, replies = rules.suggested_days(
        something.rule, something.first_post_day, something.replies_day,
        standing.opened_on[2], Counts(), today)
    assert (first_post.on, first_post.passed) == (today, False)
    assert (replies.on, replies.passed) == (today + timedelta(days=2), False)


def test_a_stage_opened_early_opens_that_day_whatever_was_done_in_the_one_before(factory):
    """Stage 2 open 20 days ago, one of its required e-tivities done 12 days ago (not all):
    stage 3 opened for the learner today opened today, not the day that one was done."""
    cohort = factory.cohort()
    learner = factory.learner_in(cohort)
    today = utcnow().date()
    _joined(cohort, learner, 30)
    _done(cohort, learner, 1, 20)
    one = next(e for e in cohort.course.etivities_in(2) if e.required)
    mark_complete_by_hand(cohort, learner.id, one.id, cohort.memberships[0].user_id,
                          utcnow() - timedelta(days=12))
    open_early(cohort, cohort.memberships[0].user_id, utcnow(), stage_number=3,
               user_id=learner.id)
    db.session.commit()
    standing = learner_progress(cohort, learner.id, today)
    assert not standing.stage_finished(2)
    assert standing.opened_on == {1: today - timedelta(days=30), 2: today - timedelta(days=20),
                                  3: today}


def test_an_override_made_once_a_stage_was_open_moves_nothing(factory):
    """Stage 2 open since stage 1 was finished 15 days ago; an override for it 5 days ago
    (one learner's) or today (everyone's) leaves it opened 15 days ago."""
    cohort = factory.cohort()
    learner = factory.learner_in(cohort)
    today = utcnow().date()
    by = cohort.memberships[0].user_id
    _joined(cohort, learner, 30)
    _done(cohort, learner, 1, 15)
    open_early(cohort, by, utcnow() - timedelta(days=5), stage_number=2, user_id=learner.id)
    open_early(cohort, by, utcnow(), stage_number=2)
    db.session.commit()
    assert learner_progress(cohort, learner.id, today).opened_on[2] == today - timedelta(days=15)


def test_no_stage_opens_for_a_learner_before_the_day_they_joined(factory):
    """Stage 2 opened for everyone a month ago; Kim joins today. Whether she has finished
    stage 1 today or not, stage 2 opened for her today: no suggested day has passed, and
    she is not stuck on her first day. Lin, there before the override, counts from it."""
    cohort = factory.cohort()
    kim, lin = factory.learner_in(cohort), factory.learner_in(cohort)
    today = utcnow().date()
    month_ago = today - timedelta(days=30)
    _joined(cohort, lin, 40)
    open_early(cohort, cohort.memberships[0].user_id, utcnow() - timedelta(days=30),
               stage_number=2)
    db.session.commit()
    suggested = {s.number: s.suggested_days for s in cohort.course.stages}
    something = etivity(cohort.course, "something-of-your-own")

    def check(opened_on):
        standing = learner_progress(cohort, kim.id, today)
        assert standing.current_stage == 2 and standing.opened_on == opened_on
        assert not is_stuck(standing, suggested, today)
        first_post, replies = rules.suggested_days(
            something.rule, something.first_post_day, something.replies_day,
            standing.opened_on[2], Counts(), today)
        assert (first_post.on, first_post.passed) == (today, False)
        assert (replies.on, replies.passed) == (today + timedelta(days=2), False)

    check({1: today, 2: today})  # stage 2 open only by the override
    _done(cohort, kim, 1, 0)
    db.session.commit()
    check({1: today, 2: today})  # stage 2 reached today, the override long before
    lin_opened = learner_progress(cohort, lin.id, today).opened_on
    assert lin_opened == {1: today - timedelta(days=40), 2: month_ago}


def test_no_stage_opens_for_a_learner_before_the_stage_before_it(factory):
    """Stage 2's e-tivities marked complete 20 days ago while it was locked (stage 1 not
    finished); stage 1 finished 5 days ago opens stage 2 then, and stage 3 with it, not 20
    days ago: stage 3 is not stuck after 5 of its 10 days. Likewise a stage opened early for
    everyone 20 days ago opened for the learner the day the stage before it did."""
    cohort = factory.cohort()
    learner = factory.learner_in(cohort)
    today = utcnow().date()
    _joined(cohort, learner, 30)
    _done(cohort, learner, 2, 20)
    db.session.commit()
    assert not learner_progress(cohort, learner.id, today).stages[2].open
    _done(cohort, learner, 1, 5)
    db.session.commit()
    standing = learner_progress(cohort, learner.id, today)
    five_days_ago = today - timedelta(days=5)
    assert standing.opened_on == {1: today - timedelta(days=30), 2: five_days_ago,
                                  3: five_days_ago}
    suggested = {s.number: s.suggested_days for s in cohort.course.stages}
    assert standing.current_stage == 3 and suggested[3] > 5
    assert not is_stuck(standing, suggested, today)

    other = factory.learner_in(cohort)
    _joined(cohort, other, 30)
    _done(cohort, other, 1, 5)
    open_early(cohort, cohort.memberships[0].user_id, utcnow() - timedelta(days=20),
               stage_number=3)
    db.session.commit()
    standing = learner_progress(cohort, other.id, today)
    assert standing.stages[3].early
    assert standing.opened_on == {1: today - timedelta(days=30), 2: five_days_ago,
                                  3: five_days_ago}


def test_a_profile_starts_the_week_its_people_joined(factory):
    """One learner's from the week they joined; the cohort's from its first joiner's."""
    cohort = factory.cohort()
    early, late = factory.learner_in(cohort), factory.learner_in(cohort)
    for membership in cohort.memberships:
        membership.joined_at = utcnow()
    _joined(cohort, early, 21)
    db.session.commit()
    today = utcnow().date()
    assert len(weekly_profile(cohort.id, late.id, today)) == 1
    assert len(weekly_profile(cohort.id, early.id, today)) == 4
    assert len(weekly_profile(cohort.id, None, today)) == 4


def test_last_activity_is_the_latest_in_any_etivity(factory):
    cohort = factory.cohort()
    learner = factory.learner_in(cohort)
    start(cohort, learner, "introduce-yourself", utcnow() - timedelta(days=5))
    latest = utcnow() - timedelta(days=1)
    start(cohort, learner, "time-and-help", latest)
    db.session.commit()
    standing = learner_progress(cohort, learner.id, utcnow().date())
    assert standing.last_activity_at.replace(tzinfo=None) == latest.replace(tzinfo=None)


def test_a_learner_still_in_a_stage_is_stuck_the_day_a_paced_cohort_opens_the_next(factory):
    """Stuck and the default release dates count a stage's days the same way."""
    today = utcnow().date()
    cohort = factory.cohort(paced=True, starts_on=today - timedelta(days=30))
    learner = factory.learner_in(cohort)
    _joined(cohort, learner, 40)
    db.session.commit()
    suggested = {s.number: s.suggested_days for s in cohort.course.stages}
    second = cohort.release_date(2)
    assert second == today - timedelta(days=30) + timedelta(days=suggested[1])
    day_before = second - timedelta(days=1)
    assert not is_stuck(learner_progress(cohort, learner.id, day_before), suggested, day_before)
    assert is_stuck(learner_progress(cohort, learner.id, second), suggested, second)
