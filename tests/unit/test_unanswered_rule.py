"""One rule for "unanswered": a conversation piece is answered once someone other than its
author has a reply in it that is neither withdrawn nor hidden; a piece whose author shows
nothing any more waits for nobody. The facilitator's queue and the e-tivity report both use
discussions.queries, so they agree about every thread."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from course_app.clock import utcnow
from course_app.cohorts.models import MemberRole
from course_app.discussions import services as discussions
from course_app.discussions.models import Thread
from course_app.discussions.queries import answered_condition, unanswered_condition
from course_app.extensions import db
from course_app.facilitate import moderation
from course_app.facilitate.queue import queue
from course_app.reports.queries import etivity_report
from learner_journey import etivity, start

SLUG = "introduce-yourself"


@pytest.fixture
def world(factory):
    cohort = factory.cohort()
    facilitator = next(m.user for m in cohort.memberships if m.role == MemberRole.FACILITATOR)
    ana = factory.learner_in(cohort, name="Ana")
    ben = factory.learner_in(cohort, name="Ben")
    return cohort, facilitator, ana, ben


def _withdrawn_reply(world, thread, at):
    _cohort, _f, _ana, ben = world
    discussions.delete_post(discussions.reply(thread, ben, "Oops", at), ben, at)


def _hidden_reply(world, thread, at):
    cohort, facilitator, _ana, ben = world
    post = discussions.reply(thread, ben, "Unkind", at)
    moderation.hide_post(cohort, post, facilitator, "Please be kind", at)


def _hidden_then_shown_reply(world, thread, at):
    cohort, facilitator, _ana, ben = world
    post = discussions.reply(thread, ben, "Misread", at)
    moderation.hide_post(cohort, post, facilitator, "Checking", at)
    moderation.show_post(cohort, post, facilitator, at)


def _own_follow_up(world, thread, at):
    discussions.reply(thread, world[2], "Anyone?", at)


def _peer_reply(world, thread, at):
    discussions.reply(thread, world[3], "Welcome!", at)


def _facilitator_reply(world, thread, at):
    discussions.reply(thread, world[1], "Welcome from me", at)


def _opening_withdrawn(world, thread, at):
    discussions.delete_post(thread.posts[0], world[2], at)


def _opening_hidden(world, thread, at):
    cohort, facilitator, *_ = world
    moderation.hide_post(cohort, thread.posts[0], facilitator, "Off topic", at)


CASES = {  # what happens in Ana's piece -> is it still unanswered?
    "nothing": (lambda *_: None, True),
    "a withdrawn reply": (_withdrawn_reply, True),
    "a hidden reply": (_hidden_reply, True),
    "only her own follow-up": (_own_follow_up, True),
    "a reply hidden, then shown again": (_hidden_then_shown_reply, False),
    "a peer's reply": (_peer_reply, False),
    "the facilitator's reply": (_facilitator_reply, False),
    "her piece withdrawn": (_opening_withdrawn, False),
    "her piece hidden": (_opening_hidden, False),
}


@pytest.mark.parametrize("case", CASES)
def test_the_queue_and_the_etivity_report_agree(world, case):
    cohort, _facilitator, ana, _ben = world
    at = utcnow() - timedelta(hours=2)
    thread = start(cohort, ana, SLUG, at=at, title="Ana's hello")
    happen, unanswered = CASES[case]
    happen(world, thread, at + timedelta(minutes=5))
    db.session.flush()

    in_queue = [w.thread.id for w in queue(cohort, utcnow()).unanswered]
    in_report = [t.id for t in etivity_report(cohort, etivity(cohort.course, SLUG)).unanswered]
    assert in_queue == in_report == ([thread.id] if unanswered else [])


def test_answered_and_unanswered_as_sql(world):
    cohort, _facilitator, ana, ben = world
    at = utcnow() - timedelta(hours=1)
    waiting = start(cohort, ana, SLUG, at=at, title="waiting")
    answered = start(cohort, ben, SLUG, at=at, title="answered")
    _withdrawn_reply(world, waiting, at)
    discussions.reply(answered, ana, "Hi Ben", at)
    db.session.flush()

    def titles(condition):
        return set(db.session.scalars(select(Thread.title).where(
            Thread.cohort_id == cohort.id, Thread.etivity_id.is_not(None), condition)))

    assert titles(unanswered_condition()) == {"waiting"}
    assert titles(answered_condition()) == {"answered"}
