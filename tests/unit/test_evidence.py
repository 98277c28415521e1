"""Recording evidence: whose posts count as a peer's, for reading and replying alike."""

import pytest
from sqlalchemy import select
from test_counts_tables import rebuilt, snapshot

from course_app.auth.models import Role
from course_app.clock import utcnow
from course_app.cohorts.models import MemberRole
from course_app.cohorts.services import add_member, membership_of
from course_app.discussions import services as discussions
from course_app.extensions import db
from course_app.notifications.models import Notification, NotificationKind
from course_app.progress.evidence import peers_among, restore_post, void_post
from course_app.progress.models import Activity, Completion, Mode
from course_app.progress.overrides import mark_complete_by_hand
from learner_journey import start


def evidence_of(user, kind: Mode) -> list[Activity]:
    return list(db.session.scalars(select(Activity).where(Activity.user_id == user.id,
                                                          Activity.kind == kind)))


def remove(cohort, user) -> None:
    membership_of(cohort.id, user.id).removed_at = utcnow()
    db.session.commit()


@pytest.fixture
def removed_authors_thread(factory):
    """A thread started by a learner who was removed from the cohort afterwards; their
    post stays in the cohort (removing someone keeps their posts)."""
    cohort = factory.cohort()
    gone, reader = factory.learner_in(cohort), factory.learner_in(cohort)
    thread = start(cohort, gone, "introduce-yourself")
    db.session.commit()
    remove(cohort, gone)
    return cohort, gone, reader, thread


def test_reading_a_removed_learners_post_counts_as_observing(removed_authors_thread):
    cohort, gone, reader, thread = removed_authors_thread
    assert discussions.mark_shown(thread, reader, list(thread.posts), utcnow()) == 1
    [read] = evidence_of(reader, Mode.OBSERVE)
    assert read.peer_id == gone.id and read.post_id == thread.posts[0].id


def test_replying_to_a_removed_learners_post_counts_as_interacting(removed_authors_thread):
    cohort, gone, reader, thread = removed_authors_thread
    discussions.reply(thread, reader, "Welcome back, whenever you are.", utcnow())
    [reply] = evidence_of(reader, Mode.INTERACT)
    assert reply.peer_id == gone.id


def test_reading_and_replying_agree_on_whose_posts_count(factory):
    """For every kind of author, reading their post earns observe exactly when replying to
    it earns interact."""
    cohort = factory.cohort()
    facilitator = cohort.memberships[0].user
    reviewer = factory.user(Role.FACILITATOR)
    add_member(cohort, reviewer, MemberRole.REVIEWER, utcnow())
    learner, peer, gone = (factory.learner_in(cohort) for _ in range(3))
    authors = {"peer": peer, "removed peer": gone, "facilitator": facilitator,
               "reviewer": reviewer, "yourself": learner}
    threads = {label: start(cohort, who, "introduce-yourself", title=label)
               for label, who in authors.items()}
    db.session.commit()
    remove(cohort, gone)
    for thread in threads.values():
        discussions.mark_shown(thread, learner, list(thread.posts), utcnow())
        discussions.reply(thread, learner, "A reply.", utcnow())
    db.session.commit()
    observed = {a.peer_id for a in evidence_of(learner, Mode.OBSERVE)}
    interacted = {a.peer_id for a in evidence_of(learner, Mode.INTERACT)}
    assert observed == interacted == {peer.id, gone.id}


def test_peers_among(factory):
    cohort = factory.cohort()
    facilitator = cohort.memberships[0].user
    learner, peer, gone = (factory.learner_in(cohort) for _ in range(3))
    outsider = factory.learner_in(factory.cohort(cohort.course))
    remove(cohort, gone)
    ids = [learner.id, peer.id, gone.id, facilitator.id, outsider.id, None]
    assert peers_among(cohort.id, learner.id, ids) == {peer.id, gone.id}
    assert peers_among(cohort.id, learner.id, [learner.id, None]) == set()


def test_a_removed_learner_earns_nothing_more(removed_authors_thread, factory):
    """Evidence is recorded for active learners: someone removed can't open the cohort,
    and a write on their behalf (e.g. from an old page) counts for nothing."""
    cohort, gone, reader, _thread = removed_authors_thread
    theirs = start(cohort, reader, "introduce-yourself", title="Reader's own")
    db.session.commit()
    assert discussions.mark_shown(theirs, gone, list(theirs.posts), utcnow()) == 0
    assert evidence_of(gone, Mode.OBSERVE) == []


# ---- observe_facilitators: a task that asks learners to read the facilitator's post -----

def _welcome(cohort, observe_facilitators: bool):
    """`welcome` asking for 1 read, its facilitators' posts counting or not."""
    etivity = next(e for e in cohort.course.etivities if e.slug == "welcome")
    etivity.observe, etivity.interact, etivity.initiate = 1, 0, 0
    etivity.observe_facilitators = observe_facilitators
    db.session.commit()
    return etivity


@pytest.mark.parametrize("counts", [True, False])
def test_reading_only_the_facilitators_welcome_completes_it_when_the_etivity_says_so(
        factory, counts):
    cohort = factory.cohort()
    facilitator = cohort.memberships[0].user
    learner = factory.learner_in(cohort)
    etivity = _welcome(cohort, observe_facilitators=counts)
    thread = start(cohort, facilitator, "welcome", title="Welcome, everyone")
    db.session.commit()

    assert discussions.mark_shown(thread, learner, list(thread.posts), utcnow()) == int(counts)
    db.session.commit()
    done = db.session.scalar(select(Completion).where(Completion.user_id == learner.id,
                                                      Completion.etivity_id == etivity.id))
    assert (done is not None) == counts
    if counts:
        assert done.evidence["observe"] == [thread.posts[0].id]
    # The kept counts say what the log says (`progress rebuild-counts` makes the same).
    assert snapshot(cohort.id) == rebuilt(cohort.id)


def test_replying_to_a_facilitator_is_still_not_interacting(factory):
    """observe_facilitators is about reading only: a reply to the facilitator's post earns
    no interact, wherever it is."""
    cohort = factory.cohort()
    facilitator = cohort.memberships[0].user
    learner = factory.learner_in(cohort)
    _welcome(cohort, observe_facilitators=True)
    thread = start(cohort, facilitator, "welcome", title="Welcome, everyone")
    discussions.reply(thread, learner, "Thanks, glad to be here.", utcnow())
    db.session.commit()
    assert evidence_of(learner, Mode.INTERACT) == []
    assert peers_among(cohort.id, learner.id, [facilitator.id]) == set()
    assert peers_among(cohort.id, learner.id, [facilitator.id], facilitators=True) == {
        facilitator.id}


# ---- hiding and showing again; announcing the next stage -----------------------------------

def test_showing_a_hidden_post_again_restores_its_evidence_alone(factory):
    cohort = factory.cohort()
    learner = factory.learner_in(cohort)
    kept = start(cohort, learner, "introduce-yourself").posts[0]
    other = start(cohort, learner, "time-and-help").posts[0]
    void_post(kept.id, utcnow())
    void_post(other.id, utcnow())
    restore_post(kept.id)
    db.session.commit()
    live = {a.post_id for a in evidence_of(learner, Mode.INITIATE) if a.voided_at is None}
    assert live == {kept.id}  # the other post is still hidden: its evidence stays void


def test_only_the_completion_that_finishes_a_stage_announces_the_next(factory):
    """Optional e-tivities neither open a stage nor announce one again; finishing stage 5,
    the last, announces nothing."""
    cohort = factory.cohort()
    learner = factory.learner_in(cohort)
    by = cohort.memberships[0].user_id

    def announced() -> list[str]:
        return list(db.session.scalars(select(Notification.text).where(
            Notification.user_id == learner.id,
            Notification.kind == NotificationKind.STAGE_OPENED).order_by(Notification.id)))

    optional = [e for e in cohort.course.etivities_in(1) if not e.required]
    assert len(optional) >= 2
    mark_complete_by_hand(cohort, learner.id, optional[0].id, by, utcnow())
    assert announced() == []
    for number in range(1, 6):
        for e in cohort.course.etivities_in(number):
            if e.required:
                mark_complete_by_hand(cohort, learner.id, e.id, by, utcnow())
    mark_complete_by_hand(cohort, learner.id, optional[1].id, by, utcnow())
    db.session.commit()
    assert [text.split(",")[0] for text in announced()] == [
        "Stage 2", "Stage 3", "Stage 4", "Stage 5"]
