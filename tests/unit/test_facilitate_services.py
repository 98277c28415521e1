"""Facilitator actions as services: each changes what it says, refuses what it should, and
leaves one audit entry."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from course_app.auth.models import Role
from course_app.clock import utcnow
from course_app.cohorts.models import CohortState, MemberRole
from course_app.cohorts.services import add_member, default_release_dates, membership_of
from course_app.discussions import services as discussions
from course_app.discussions import weaves
from course_app.discussions.weaves import Citation
from course_app.extensions import db
from course_app.facilitate import (
    cohort_admin,
    invites,
    moderation,
    nudges,
    overrides,
    people,
    queue,
    reading,
    weaving,
)
from course_app.facilitate.errors import FacilitateError
from course_app.facilitate.models import AuditAction, AuditEntry
from course_app.notifications.models import Notification
from course_app.progress.rules import EtivityState
from course_app.progress.standing import learner_progress


def audits(cohort, action=None):
    query = select(AuditEntry).where(AuditEntry.cohort_id == cohort.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return db.session.scalars(query).all()


def etivity(cohort, slug):
    return next(e for e in cohort.course.etivities if e.slug == slug)


@pytest.mark.parametrize("start,to,ok", [
    (CohortState.OPEN, CohortState.RUNNING, True),
    (CohortState.RUNNING, CohortState.CLOSED, True),
    (CohortState.CLOSED, CohortState.ARCHIVED, True),
    (CohortState.CLOSED, CohortState.RUNNING, True),
    (CohortState.OPEN, CohortState.ARCHIVED, False),
    (CohortState.ARCHIVED, CohortState.OPEN, False),
    (CohortState.RUNNING, CohortState.OPEN, False),
])
def test_state_transitions(cohort, facilitator, start, to, ok):
    cohort.state = start
    if ok:
        cohort_admin.change_state(cohort, to, facilitator, utcnow())
        assert cohort.state == to
        assert len(audits(cohort, "state")) == 1
    else:
        with pytest.raises(FacilitateError):
            cohort_admin.change_state(cohort, to, facilitator, utcnow())
        assert cohort.state == start
        assert audits(cohort, "state") == []


def test_paced_settings_need_every_date_in_order(cohort, facilitator):
    start = date(2027, 1, 4)
    dates = {n: start + timedelta(days=7 * (n - 1)) for n in range(1, 6)}
    with pytest.raises(FacilitateError, match="missing: stage 5"):
        cohort_admin.update_settings(cohort, facilitator, utcnow(), name="C", starts_on=start,
                                 capacity=None, silent_days=5, welcome_message="", paced=True,
                                 release_dates={**dates, 5: None})
    backwards = {**dates, 3: start - timedelta(days=1)}
    with pytest.raises(FacilitateError, match="backwards"):
        cohort_admin.update_settings(cohort, facilitator, utcnow(), name="C", starts_on=start,
                                 capacity=None, silent_days=5, welcome_message="", paced=True,
                                 release_dates=backwards)
    cohort_admin.update_settings(cohort, facilitator, utcnow(), name="Spring", starts_on=start,
                             capacity=20, silent_days=3, welcome_message="Hello", paced=True,
                             release_dates=dates)
    assert cohort.paced and cohort.release_date(3) == dates[3] and cohort.capacity == 20
    assert len(audits(cohort, "settings")) == 1


def test_release_dates_keep_the_dates_given_and_count_on_from_them(cohort, facilitator):
    course, start = cohort.course, date(2027, 1, 4)
    days = {s.number: s.suggested_days for s in course.stages}
    plain = default_release_dates(course, start)
    assert [plain[n + 1] - plain[n] for n in range(1, 5)] == [
        timedelta(days=days[n]) for n in range(1, 5)]
    later = plain[3] + timedelta(days=10)
    given = default_release_dates(course, start, {3: later, 4: None})
    assert (given[1], given[2], given[3]) == (plain[1], plain[2], later)
    assert given[4] == later + timedelta(days=days[3])
    assert given[5] == given[4] + timedelta(days=days[4])
    opened = cohort_admin.open_cohort(course, "Paced", facilitator, utcnow(), starts_on=start,
                                      paced=True, capacity=None, release_dates={3: later})
    assert {n: opened.release_date(n) for n in range(1, 6)} == given


def test_capacity_below_enrolled_is_refused(factory, cohort, facilitator):
    factory.learner_in(cohort)
    factory.learner_in(cohort)
    with pytest.raises(FacilitateError, match="2 learners"):
        cohort_admin.update_settings(cohort, facilitator, utcnow(), name="C", starts_on=None,
                                 capacity=1, silent_days=5, welcome_message="", paced=False,
                                 release_dates={})


def test_regenerate_key_changes_it(cohort, facilitator):
    old = cohort.enrolment_key
    assert cohort_admin.regenerate_key(cohort, facilitator, utcnow()) != old
    assert len(audits(cohort, "key")) == 1


def test_bulk_invite_reports_bad_lines_and_keeps_good(cohort, facilitator):
    text = "email\nana@example.org\nnot-an-email\n\nBen <x>, ben@example.org\nana@example.org\n"
    result = invites.invite_many(cohort, facilitator, text, utcnow())
    assert [i.email for i in result.invites] == ["ana@example.org", "ben@example.org"]
    assert [line for line, _, _ in result.problems] == [3, 6]
    assert all(i.expires_at is not None for i in result.invites)


def test_bulk_invite_leaves_out_addresses_whose_invite_still_works(cohort, facilitator):
    """An address with a working invite (not revoked, not expired) is reported, not invited
    again, and is nothing to fix; one whose invite was revoked or has expired gets a new
    one."""
    from datetime import UTC, datetime

    from course_app.cohorts.services import create_invite

    made = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    create_invite(cohort, facilitator, made, email="kept@example.org",
                  expires_at=datetime(2026, 12, 15, 9, 30, tzinfo=UTC))
    create_invite(cohort, facilitator, made, email="forever@example.org")
    create_invite(cohort, facilitator, made, email="revoked@example.org").revoked_at = made
    create_invite(cohort, facilitator, made, email="expired@example.org",
                  expires_at=datetime(2026, 12, 2, tzinfo=UTC))
    text = ("kept@example.org\nForever@Example.org\nrevoked@example.org\n"
            "expired@example.org\nnew@example.org\n")
    result = invites.invite_many(cohort, facilitator, text, datetime(2026, 12, 5, tzinfo=UTC))
    assert [i.email for i in result.invites] == [
        "revoked@example.org", "expired@example.org", "new@example.org"]
    assert result.problems == [
        (1, "kept@example.org", "already invited on 1 Dec 2026, 09:30 UTC; that link works "
         "until 15 Dec 2026, 09:30 UTC: copy it from Invitations so far, or revoke it to send a "
         "new one"),
        (2, "Forever@Example.org", "already invited on 1 Dec 2026, 09:30 UTC; that link works "
         "until you revoke it: copy it from Invitations so far, or revoke it to send a new one")]
    assert result.to_fix == []
    # Sent again, the new ones are left out too.
    again = invites.invite_many(cohort, facilitator, "new@example.org\nother@example.org",
                                datetime(2026, 12, 5, tzinfo=UTC))
    assert [i.email for i in again.invites] == ["other@example.org"]
    assert [line for line, _, _ in again.problems] == [1]


def test_bulk_invite_with_nothing_is_an_error(cohort, facilitator):
    with pytest.raises(FacilitateError):
        invites.invite_many(cohort, facilitator, "\n\n", utcnow())


def test_add_reviewer_and_refuse_learner_as_facilitator(factory, cohort, facilitator):
    sponsor = factory.user(Role.LEARNER)
    people.add_staff(cohort, facilitator, sponsor.email.upper(), MemberRole.REVIEWER, utcnow())
    assert membership_of(cohort.id, sponsor.id).role == MemberRole.REVIEWER
    other = factory.user(Role.LEARNER)
    with pytest.raises(FacilitateError, match="learner account"):
        people.add_staff(cohort, facilitator, other.email, MemberRole.FACILITATOR, utcnow())
    with pytest.raises(FacilitateError, match="already"):
        people.add_staff(cohort, facilitator, sponsor.email, MemberRole.REVIEWER, utcnow())


def test_remove_learner_keeps_posts(factory, cohort, facilitator):
    learner = factory.learner_in(cohort)
    thread = discussions.start_thread(cohort, etivity(cohort, "introduce-yourself"), learner,
                                      "Hi", "Hello all", utcnow())
    people.remove_member(cohort, membership_of(cohort.id, learner.id), facilitator, utcnow())
    assert membership_of(cohort.id, learner.id).removed_at is not None
    assert db.session.get(type(thread), thread.id).posts[0].body == "Hello all"
    with pytest.raises(FacilitateError):
        people.remove_member(cohort, membership_of(cohort.id, facilitator.id), facilitator,
                               utcnow())


def test_hide_needs_reason_keeps_text_and_can_be_undone(factory, cohort, facilitator):
    learner = factory.learner_in(cohort)
    thread = discussions.start_thread(cohort, etivity(cohort, "introduce-yourself"), learner,
                                      "Hi", "Something unkind", utcnow())
    post = thread.posts[0]
    with pytest.raises(FacilitateError):
        moderation.hide_post(cohort, post, facilitator, "  ", utcnow())
    moderation.hide_post(cohort, post, facilitator, "Please keep it kind", utcnow())
    assert post.hidden_at and post.hidden_reason == "Please keep it kind"
    assert post.body == "Something unkind"
    assert db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == learner.id, Notification.text.contains("keep it kind"))) == 1
    moderation.show_post(cohort, post, facilitator, utcnow())
    assert post.hidden_at is None
    assert [a.action for a in audits(cohort)] == [AuditAction.HIDE, AuditAction.SHOW]


def test_hide_refuses_a_post_of_another_cohort(factory, cohort, facilitator):
    other = factory.cohort()
    learner = factory.learner_in(other)
    thread = discussions.start_thread(other, etivity(other, "introduce-yourself"), learner,
                                      "Hi", "Hello", utcnow())
    with pytest.raises(FacilitateError):
        moderation.hide_post(cohort, thread.posts[0], facilitator, "no", utcnow())
    assert thread.posts[0].hidden_at is None


def test_weave_cites_posts_and_is_pinned(factory, cohort, facilitator):
    e = etivity(cohort, "introduce-yourself")
    a, b = factory.learner_in(cohort), factory.learner_in(cohort)
    pa = discussions.start_thread(cohort, e, a, "A", "Alpha thoughts", utcnow()).posts[0]
    pb = discussions.start_thread(cohort, e, b, "B", "Beta thoughts", utcnow()).posts[0]
    thread = weaving.weave(cohort, e, facilitator, "What we heard", "Two threads agree.",
                            [(pa, ""), (pb, "Beta")], utcnow())
    assert thread.pinned and thread.kind.value == "weave"
    cited = weaves.citations_for([thread.posts[0].id])[thread.posts[0].id]
    assert [(c.quote, p.id) for c, p in cited] == [("Alpha thoughts", pa.id), ("Beta", pb.id)]
    assert audits(cohort, "weave")[0].intervention
    with pytest.raises(FacilitateError):
        weaving.weave(cohort, e, facilitator, "Empty", "Body", [], utcnow())
    assert db.session.scalar(select(func.count(Citation.id))) == 2


def test_open_stage_early_for_one_learner(factory, cohort, facilitator):
    learner, other = factory.learner_in(cohort), factory.learner_in(cohort)
    overrides.open_early(cohort, facilitator, utcnow(), stage_number=2, learner=learner)
    today = utcnow().date()
    assert learner_progress(cohort, learner.id, today).stages[2].open
    assert not learner_progress(cohort, other.id, today).stages[2].open
    assert audits(cohort, "open-early")[0].target == f"user {learner.id}"


def test_mark_complete_by_hand_records_who(factory, cohort, facilitator):
    learner = factory.learner_in(cohort)
    e = etivity(cohort, "time-and-help")
    overrides.mark_complete(cohort, facilitator, learner, e, utcnow())
    standing = learner_progress(cohort, learner.id, utcnow().date())
    item = next(p for p in standing.etivities if p.etivity.id == e.id)
    assert item.state == EtivityState.COMPLETE and item.by_hand
    assert item.completion.by_hand_by_id == facilitator.id


def test_nudge_notifies_each_and_logs_one_intervention(factory, cohort, facilitator):
    a, b = factory.learner_in(cohort, name="Ada"), factory.learner_in(cohort, name="Bo")
    nudges.nudge(cohort, facilitator, [a, b], "Hi {name}, how is it going?", utcnow(),
                 group="all")
    texts = db.session.scalars(select(Notification.text).where(
        Notification.user_id.in_([a.id, b.id]))).all()
    assert sorted(texts) == [f"{facilitator.name} wrote to you: Hi Ada, how is it going?",
                             f"{facilitator.name} wrote to you: Hi Bo, how is it going?"]
    entries = audits(cohort, "nudge")
    assert len(entries) == 1 and entries[0].intervention
    with pytest.raises(FacilitateError):
        nudges.nudge(cohort, facilitator, [], "Hi", utcnow())


def test_a_message_is_filled_only_with_the_placeholders_it_knows(factory, cohort, facilitator):
    """`fill` is the one place placeholders are filled: a learner's name that looks like one
    stays as it is, and one it doesn't know stops the nudge before anyone gets it."""
    from course_app.facilitate.messages import PlaceholderError, fill

    assert fill("Hi {name}, welcome to {cohort}.", "Ana {cohort}", "Spring") == (
        "Hi Ana {cohort}, welcome to Spring.")
    with pytest.raises(PlaceholderError, match=r"^\{Name\} isn't a placeholder"):
        fill("Hi {Name}", "Ana", "Spring")
    a, b = factory.learner_in(cohort, name="Ada"), factory.learner_in(cohort, name="Bo")
    with pytest.raises(FacilitateError) as refused:
        nudges.nudge(cohort, facilitator, [a, b], "Hi {name}, {unknown}", utcnow())
    assert refused.value.field == "text" and "{unknown}" in str(refused.value)
    assert db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id.in_([a.id, b.id]))) == 0
    assert audits(cohort, "nudge") == []


def test_doubled_braces_are_refused_as_typed_not_filled_inside(cohort, facilitator):
    """There is no {{ escape: {{name}} (as other tools write a placeholder) would reach
    learners as "{Ana}", and {{literal}} was named as "{literal}". Both are refused, named
    as typed; a lone brace is only a brace."""
    from course_app.facilitate.messages import PlaceholderError, fill

    with pytest.raises(PlaceholderError, match=r"^\{\{name\}\} and \{\{literal\}\} aren't"):
        fill("Hi {{name}}, {{literal}}", "Ana", "Spring")
    with pytest.raises(PlaceholderError, match=r"^\{name\}\} isn't a placeholder"):
        fill("Hi {name}}", "Ana", "Spring")
    assert fill("Hi {name}{cohort}: a { b,\nc } d", "Ana", "Spring") == (
        "Hi AnaSpring: a { b,\nc } d")


def test_queue_finds_unanswered_silent_and_observers(factory, cohort, facilitator):
    long_ago = utcnow() - timedelta(days=10)
    e = etivity(cohort, "introduce-yourself")
    talker, lurker, quiet = (factory.learner_in(cohort, name=n)
                             for n in ("Talker", "Lurker", "Quiet"))
    for m in cohort.memberships:
        m.joined_at = long_ago
    thread = discussions.start_thread(cohort, e, talker, "Hello", "Hi everyone", utcnow())
    discussions.mark_shown(thread, lurker, thread.posts, utcnow())
    q = queue.queue(cohort, utcnow())
    assert [w.thread.id for w in q.unanswered] == [thread.id]
    assert {w.user.name for w in q.silent} == {"Lurker", "Quiet"}
    assert [w.user.name for w in q.observers] == ["Lurker"]
    discussions.reply(thread, lurker, "Welcome!", utcnow())
    q = queue.queue(cohort, utcnow())
    assert q.unanswered == [] and [w.user.name for w in q.silent] == ["Quiet"]
    assert nudges.learners_in_group(cohort, "observers", utcnow(), stage=1) == []


def test_stuck_learner_shows_after_the_stage_suggested_days(factory, cohort, facilitator):
    learner = factory.learner_in(cohort)
    membership = membership_of(cohort.id, learner.id)
    membership.joined_at = utcnow() - timedelta(days=30)
    q = queue.queue(cohort, utcnow())
    assert [w.user.id for w in q.stuck] == [learner.id]
    assert nudges.learners_in_group(cohort, "stuck", utcnow()) == [learner]


def test_reading_view_shows_whose_posts_were_read(factory, cohort):
    e = etivity(cohort, "introduce-yourself")
    a, b, c = (factory.learner_in(cohort, name=n) for n in ("A", "B", "C"))
    ta = discussions.start_thread(cohort, e, a, "A", "from A", utcnow())
    tb = discussions.start_thread(cohort, e, b, "B", "from B", utcnow())
    discussions.mark_shown(ta, c, ta.posts, utcnow())
    discussions.mark_shown(tb, c, tb.posts, utcnow())
    discussions.mark_shown(ta, b, ta.posts, utcnow())
    rows = {r.user.name: r for r in reading.reading_view(cohort, e)}
    assert rows["C"].posts_read == 2 and {u.name for u, _ in rows["C"].peers} == {"A", "B"}
    assert rows["B"].posts_read == 1 and rows["A"].posts_read == 0


# ---- the e-moderation queue --------------------------------------------------------------

def test_silent_is_from_the_last_post_in_this_cohort(factory):
    """A learner who posted long ago and again yesterday is not silent; one who posts only
    in another cohort is silent in this one."""
    here, elsewhere = factory.cohort(), factory.cohort()
    busy, away = factory.learner_in(here, name="Busy"), factory.learner_in(here, name="Away")
    add_member(elsewhere, away, MemberRole.LEARNER, utcnow())
    for learner in (busy, away):
        membership_of(here.id, learner.id).joined_at = utcnow() - timedelta(days=30)
    hello = here.course.etivities_in(1)[1]
    discussions.start_thread(here, hello, busy, "Long ago", "Hi.", utcnow() - timedelta(days=20))
    discussions.start_thread(here, hello, busy, "Yesterday", "Hi.", utcnow() - timedelta(days=1))
    discussions.start_thread(elsewhere, hello, away, "There", "Hi.", utcnow())
    db.session.commit()
    assert [w.user.name for w in queue.queue(here, utcnow()).silent] == ["Away"]


def test_an_unanswered_conversation_links_to_its_opening_post(factory):
    cohort = factory.cohort()
    learner = factory.learner_in(cohort)
    thread = discussions.start_thread(cohort, cohort.course.etivities_in(1)[1], learner,
                                      "Mine", "First words.", utcnow() - timedelta(hours=2))
    discussions.reply(thread, learner, "And a second thought.", utcnow())  # still unanswered
    db.session.commit()
    [waiting] = queue.queue(cohort, utcnow()).unanswered
    assert waiting.post_id == thread.posts[0].id != thread.posts[-1].id
