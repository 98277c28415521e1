"""The progress rules as pure functions: completion, unlocking, states, words."""

from datetime import date, timedelta

import pytest

from course_app.content import CompletionRule
from course_app.content.fields import DAY_MAX
from course_app.progress import rules
from course_app.progress.rules import Counts, EtivityState, LockReason

TODAY = date(2027, 3, 10)
REQUIRED = {1: [11, 12], 2: [21], 3: [31], 4: [41], 5: [51]}


def statuses(completed=(), releases=None, overridden=()):
    return rules.stage_statuses(REQUIRED, set(completed), releases or {}, TODAY, set(overridden))


def test_meets_and_still_needed():
    rule = CompletionRule(observe=3, interact=2, initiate=1)
    assert not rules.meets(rule, Counts(3, 1, 1))
    assert rules.meets(rule, Counts(5, 2, 1))
    assert rules.still_needed(rule, Counts(1, 2, 0)) == Counts(2, 0, 1)


def test_self_paced_stage_opens_when_previous_required_complete():
    assert [n for n, s in statuses().items() if s.open] == [1]
    assert statuses([11])[2].reason == LockReason.PREVIOUS_STAGE
    assert [n for n, s in statuses([11, 12]).items() if s.open] == [1, 2]
    assert [n for n, s in statuses([11, 12, 21, 31]).items() if s.open] == [1, 2, 3, 4]


def test_paced_and_complete_but_not_yet_due_stays_locked_with_the_date():
    due = TODAY + timedelta(days=3)
    status = statuses([11, 12], releases={2: due})[2]
    assert not status.open and status.reason == LockReason.DATE and status.opens_on == due


def test_paced_and_due_and_complete_opens():
    assert statuses([11, 12], releases={2: TODAY})[2].open


def test_paced_and_due_but_previous_incomplete_stays_locked():
    status = statuses([11], releases={2: TODAY - timedelta(days=5)})[2]
    assert not status.open and status.reason == LockReason.PREVIOUS_STAGE


def test_stage_one_waits_for_its_release_date():
    assert statuses(releases={1: TODAY + timedelta(days=1)})[1].reason == LockReason.DATE


def test_override_opens_a_stage_whatever_else_holds():
    s = statuses([], releases={3: TODAY + timedelta(days=9)}, overridden={3})
    assert s[3].open and not s[2].open
    # and the stage after an overridden one still needs the overridden stage complete
    assert not s[4].open


def test_a_stage_is_open_early_only_where_nothing_but_an_override_opens_it():
    """`early`: what the day a stage opened counts from (the override's day, not the day
    the stage before opened or its last e-tivity was done)."""
    s = statuses([11], releases={3: TODAY + timedelta(days=9)}, overridden={1, 2, 3})
    assert s[1].open and not s[1].early  # stage 1 opens anyway
    assert s[2].open and s[2].early  # stage 1 is not finished
    assert s[3].open and s[3].early  # nor stage 2, and its date has not come
    s = statuses([11, 12, 21], releases={3: TODAY}, overridden={2, 3})
    assert s[2].open and not s[2].early and s[3].open and not s[3].early
    s = statuses([11, 12, 21], releases={3: TODAY + timedelta(days=1)}, overridden={3})
    assert s[3].open and s[3].early  # finished stage 2, but the date has not come
    assert not any(status.early for status in statuses([11, 12, 21]).values())


def test_a_stage_without_required_etivities_does_not_skip_locking():
    required = {1: [11], 2: [], 3: [31]}
    s = rules.stage_statuses(required, set(), {}, TODAY)
    assert not s[2].open and not s[3].open
    s = rules.stage_statuses(required, {11}, {}, TODAY)
    assert s[2].open and s[3].open  # nothing is required in stage 2


@pytest.mark.parametrize("complete,stage_open,overridden,state", [
    (True, False, False, EtivityState.COMPLETE),
    (False, True, False, EtivityState.OPEN),
    (False, False, True, EtivityState.OPEN),
    (False, False, False, EtivityState.LOCKED),
])
def test_etivity_state(complete, stage_open, overridden, state):
    assert rules.etivity_state(complete, stage_open, overridden) == state


def test_current_stage_is_the_highest_open():
    assert rules.current_stage(statuses([11, 12, 21])) == 3


def test_describe_in_plain_words():
    assert rules.describe(CompletionRule(3, 2, 1)) == \
        "read 3 peers’ posts, reply to 2 different peers, start 1 conversation"
    assert rules.describe(Counts(0, 1, 0), more=True) == "reply to 1 more peer"
    assert rules.describe(CompletionRule()) == ""


def test_participation_level():
    assert rules.participation_level(Counts(9, 0, 5)) == rules.Level.OBSERVER
    assert rules.participation_level(Counts(0, 1, 0)) == rules.Level.INTERACTOR
    assert rules.participation_level(Counts(0, 1, rules.INITIATOR_THREADS)) == rules.Level.INITIATOR


def test_is_stuck():
    opened = TODAY - timedelta(days=8)
    assert rules.is_stuck(opened, 7, TODAY, stage_done=False)
    assert not rules.is_stuck(opened, 7, TODAY, stage_done=True)
    assert not rules.is_stuck(opened, 10, TODAY, stage_done=False)
    assert not rules.is_stuck(None, 7, TODAY, stage_done=False)


def test_stuck_starts_the_day_after_the_suggested_days():
    """Seven suggested days, opened on the 1st: days 1 to 7 are the 1st to the 7th (as
    `day_of` counts them); on the 8th, the day a paced cohort's next stage opens, the learner
    still in the stage is stuck."""
    opened = date(2027, 3, 1)
    assert rules.day_of(opened, 7) == date(2027, 3, 7)
    assert not rules.is_stuck(opened, 7, date(2027, 3, 7), stage_done=False)
    assert rules.is_stuck(opened, 7, date(2027, 3, 8), stage_done=False)


# ---- the level rule, the words, the days (from the my-progress tests) ------------

@pytest.mark.parametrize("counts, level", [
    (Counts(), rules.Level.OBSERVER),
    (Counts(observe=40), rules.Level.OBSERVER),
    (Counts(observe=3, initiate=5), rules.Level.OBSERVER),  # posting without ever replying
    (Counts(interact=1), rules.Level.INTERACTOR),
    (Counts(interact=4, initiate=rules.INITIATOR_THREADS - 1), rules.Level.INTERACTOR),
    (Counts(interact=1, initiate=rules.INITIATOR_THREADS), rules.Level.INITIATOR),
])
def test_participation_level_cases(counts, level):
    assert rules.participation_level(counts) == level
    assert rules.participation_level(counts) in ("observer", "interactor", "initiator")


def test_describe_left_says_more_only_where_something_is_done():
    rule = CompletionRule(observe=3, interact=2, initiate=1)
    assert rules.describe_left(rule, Counts()) == (
        "read 3 peers’ posts, reply to 2 different peers, start 1 conversation")
    assert rules.describe_left(rule, Counts(observe=1, interact=1)) == (
        "read 2 more peers’ posts, reply to 1 more peer, start 1 conversation")
    assert rules.describe_left(rule, Counts(3, 2, 1)) == ""


def test_where_facilitators_posts_count_the_words_say_posts_not_peers_posts():
    """Welcome asks the learner to open the facilitator's "Ground rules"; its rule had read
    "read 1 peer's post" beside a task saying to open the facilitator's post."""
    rule = CompletionRule(observe=2, interact=1, any_post=True)
    assert rules.describe(rule) == "read 2 posts, reply to 1 peer"
    assert rules.describe(Counts(observe=1), more=True, any_post=True) == "read 1 more post"
    assert rules.describe_left(rule, Counts(observe=1)) == "read 1 more post, reply to 1 peer"
    assert rule == CompletionRule(observe=2, interact=1)  # the same counts: the same rule


def test_describe_lock():
    today = date(2027, 1, 1)
    locked = rules.StageStatus(2, False, rules.LockReason.PREVIOUS_STAGE, None)
    assert rules.describe_lock(locked, today) == "opens when you finish stage 1"
    dated = rules.StageStatus(2, False, rules.LockReason.DATE, date(2027, 1, 12))
    assert rules.describe_lock(dated, today) == "opens on 12 January 2027"
    both = rules.StageStatus(3, False, rules.LockReason.PREVIOUS_STAGE, date(2027, 1, 12))
    assert rules.describe_lock(both, today) == (
        "opens when you finish stage 2, and not before 12 January 2027")
    assert rules.describe_lock(rules.StageStatus(1, True), today) == ""
    # A date that has come is no longer a condition: only the stage before is.
    came = rules.StageStatus(3, False, rules.LockReason.PREVIOUS_STAGE, today)
    assert rules.describe_lock(came, today) == "opens when you finish stage 2"


def test_day_of_counts_the_opening_day_as_day_1():
    assert rules.day_of(date(2027, 2, 2), 1) == date(2027, 2, 2)
    assert rules.day_of(date(2027, 2, 2), 4) == date(2027, 2, 5)
    assert rules.day_of(None, 4) is None  # the stage has not opened
    assert rules.day_of(date(2027, 2, 2), None) is None  # no suggested day


def test_day_of_stays_on_the_calendar_whatever_the_database_holds():
    """Content allows days up to DAY_MAX; a bigger one stored before that (or by hand) is
    taken as DAY_MAX, and nothing runs past the calendar's last day."""
    opened = date(2027, 2, 2)
    last = opened + timedelta(days=DAY_MAX - 1)
    assert rules.day_of(opened, DAY_MAX) == last
    assert rules.day_of(opened, 999_999_999) == last
    assert rules.day_of(opened, 2**63 - 1) == last
    assert rules.day_of(date.max - timedelta(days=3), 10) == date.max
    assert rules.day_of(opened, "3") is None  # not a number: no suggested day
    assert not rules.is_stuck(opened, 999_999_999, date(2027, 3, 1), stage_done=False)


def test_a_suggested_day_has_passed_only_when_it_is_behind_us_and_not_done():
    opened = TODAY - timedelta(days=5)
    assert rules.suggested(opened, 2, False, TODAY) == rules.Suggested(
        TODAY - timedelta(days=4), done=False, passed=True)
    assert not rules.suggested(opened, 2, True, TODAY).passed  # done: nothing to nudge
    assert not rules.suggested(opened, 6, False, TODAY).passed  # day 6 is today
    assert rules.suggested(opened, 6, False, TODAY + timedelta(days=1)).passed
    assert rules.suggested(None, 2, False, TODAY) is None  # the stage has not opened


def test_what_a_suggested_first_post_and_replies_ask():
    assert not rules.first_post_done(Counts(observe=4))  # reading is not posting
    assert rules.first_post_done(Counts(initiate=1))
    assert rules.first_post_done(Counts(interact=1))  # an e-tivity that begins with a reply
    two_peers = CompletionRule(interact=2)
    assert not rules.replies_done(two_peers, Counts(interact=1))
    assert rules.replies_done(two_peers, Counts(interact=2))
    assert not rules.replies_done(CompletionRule(initiate=1), Counts(initiate=1))
    assert rules.replies_done(CompletionRule(initiate=1), Counts(interact=1))
    first, replies = rules.suggested_days(two_peers, 1, 3, TODAY, Counts(initiate=1), TODAY)
    assert first.done and not replies.done and not replies.passed


# ---- stage finished ---------------------------------------------------------------

def test_a_stage_is_finished_when_open_with_every_required_etivity_complete():
    open_ = rules.StageStatus(2, True)
    assert rules.stage_finished(open_, [21, 22], {21, 22, 99})
    assert not rules.stage_finished(open_, [21, 22], {21})
    assert rules.stage_finished(open_, [], set())  # nothing required: finished once open


def test_a_locked_stage_is_not_finished_even_with_its_etivities_complete():
    """E-tivities of a locked stage can be complete (opened early, or marked by hand)."""
    locked = rules.StageStatus(3, False, LockReason.DATE, TODAY + timedelta(days=2))
    assert not rules.stage_finished(locked, [31], {31})


def test_the_next_stage_opens_exactly_when_the_one_before_is_finished():
    for completed in ([], [11], [11, 12], [11, 12, 21], [11, 12, 21, 31, 41]):
        s = statuses(completed, releases={3: TODAY + timedelta(days=1)})
        for number in rules.STAGES[1:]:
            before = rules.stage_finished(s[number - 1], REQUIRED[number - 1], set(completed))
            if s[number].reason != LockReason.DATE:
                assert s[number].open == before, (completed, number)
