"""Posts, moderation and the small "it's done" actions when two requests collide.

A true race is hard to make on demand, so these tests make its interleaving: what the other
request committed is written behind the ORM's back (Core statements), either before the
service acts on objects loaded earlier (now stale), or at the very moment the request under
test has just read the rows (`meanwhile`). The request must then act on the rows as they
really are: no double count, no second notice, and a clear word to the person, never a 500.
Where only a row lock can tell, the test looks for the lock (PostgreSQL only)."""

import html
import re
from contextlib import contextmanager

import pytest
import toolkit_world
from sqlalchemy import event, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from course_app.auth import services as accounts
from course_app.auth.models import Role, User
from course_app.clock import utcnow
from course_app.cohorts.models import CohortState, MemberRole, Membership
from course_app.courses.models import Etivity
from course_app.discussions import services as discussions
from course_app.discussions.models import Post, PostRevision, ReplyPair, Thread
from course_app.extensions import db
from course_app.facilitate import moderation, people
from course_app.facilitate import overrides as facilitate_overrides
from course_app.facilitate.errors import FacilitateError
from course_app.facilitate.models import AuditEntry
from course_app.feeds.models import CalendarFeed
from course_app.mailings import preferences
from course_app.mailings.models import EmailPreference
from course_app.notifications.models import Notification
from course_app.progress import overrides
from course_app.progress.models import Completion, Override
from course_app.toolkit import services as toolkit
from course_app.toolkit.models import ToolkitPublication
from database import statements_sent

LONG = "A reply that took twenty minutes to write, every word of it weighed. " * 3


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def etivity(cohort, slug="introduce-yourself"):
    return next(e for e in cohort.course.etivities if e.slug == slug)


@contextmanager
def meanwhile(entity, act, when=lambda state: True):
    """Right after this session's first statement about `entity` (that `when` picks) has
    run, `act()`: another request's commit, written behind the ORM's back."""
    done = []

    def hook(state):
        mapper = state.bind_mapper
        if done or mapper is None or mapper.class_ is not entity or not when(state):
            return None
        done.append(True)
        result = state.invoke_statement()
        if not state.is_select:  # a DELETE: nothing to read later
            act()
            return result
        frozen = result.freeze()
        act()
        return frozen()

    event.listen(Session, "do_orm_execute", hook)
    try:
        yield done
    finally:
        event.remove(Session, "do_orm_execute", hook)


def selects_only_id(state) -> bool:
    return state.is_select and [c["name"] for c in state.statement.column_descriptions] == ["id"]


def needs_postgresql() -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks (FOR UPDATE): PostgreSQL only")


def locked_before(sent, table: str, then: str) -> bool:
    """A statement locked a row of `table` before the first read of `then`."""
    lock = next((i for i, s in enumerate(sent) if "FOR UPDATE" in s.sql or "FOR SHARE" in s.sql
                 if f"FROM {table}" in s.sql), None)
    read = next((i for i, s in enumerate(sent) if s.sql.lstrip().startswith("SELECT")
                 and f"FROM {then}" in s.sql and "FOR " not in s.sql), None)
    return lock is not None and read is not None and lock < read


@pytest.fixture
def setting(factory):
    """A cohort, its facilitator, Ana's conversation and Ben's reply to it."""
    facilitator = factory.user(Role.FACILITATOR, name="Farah Facilitator")
    cohort = factory.cohort(facilitator=facilitator)
    ana = factory.learner_in(cohort, name="Ana Okafor")
    ben = factory.learner_in(cohort, name="Ben Marsh")
    now = utcnow()
    thread = discussions.start_thread(cohort, etivity(cohort), ana, "Ana says hello", "Hi.", now)
    reply = discussions.reply(thread, ben, "Hello Ana.", now)
    db.session.commit()
    return cohort, facilitator, ana, ben, thread, reply


def pair_count(cohort, reply) -> int:
    return db.session.scalar(select(ReplyPair.replies).where(
        ReplyPair.cohort_id == cohort.id, ReplyPair.from_id == reply.author_id)) or 0


def audits(cohort) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.cohort_id == cohort.id))


def notices(user) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.user_id == user.id))


# ---- 14: a collision nobody handled is a 409, with the text back -------------------------

def ben_replies_and_the_database_refuses(client, login_as, setting, monkeypatch, why: str):
    """Ben's reply meets an integrity error (`why`, as SQLite words it) nobody handled."""
    cohort, _facilitator, _ana, ben, thread, _reply = setting

    def refuse(*args, **kwargs):
        raise IntegrityError("INSERT ...", {}, Exception(why))

    monkeypatch.setattr(discussions, "reply", refuse)
    login_as(ben)
    return client.post(f"/cohorts/{cohort.id}/threads/{thread.id}", data={"body": LONG})


def test_an_unhandled_collision_is_a_409_with_the_text_given_back(client, login_as, setting,
                                                                  monkeypatch):
    response = ben_replies_and_the_database_refuses(
        client, login_as, setting, monkeypatch, "UNIQUE constraint failed: completion.cohort_id")
    assert response.status_code == 409
    page = text(response)
    assert "Someone else did this at the same moment" in page
    assert "Nothing was saved twice." in page
    assert LONG.strip() in page and "Send it again" in page


def test_an_integrity_error_that_is_no_collision_is_a_500_that_shows_the_text(
        client, login_as, setting, monkeypatch):
    """A foreign key or NOT NULL refusal is a fault, not two requests colliding: the page
    doesn't say someone else did it, nor offers to send again what would fail again."""
    response = ben_replies_and_the_database_refuses(
        client, login_as, setting, monkeypatch, "FOREIGN KEY constraint failed")
    assert response.status_code == 500
    page = text(response)
    assert "Someone else did this" not in page
    assert LONG.strip() in page and "Send it again" not in page


# ---- 14: where "it's done" is the answer --------------------------------------------------

def test_registering_an_address_registered_a_moment_ago_is_the_usual_form_error(app):
    def other():
        db.session.execute(insert(User).values(email="same@example.org", name="Other",
                                               password_hash="x", role=Role.LEARNER,
                                               created_at=utcnow()))
    with meanwhile(User, other):
        with pytest.raises(accounts.AccountError) as refused:
            accounts.create_user("same@example.org", "Me", "a long enough passphrase",
                                 utcnow())
    assert refused.value.field == "email" and str(refused.value) == accounts.ACCOUNT_EXISTS


def test_an_unsubscribe_link_followed_twice_at_once_unsubscribes(client, setting):
    cohort, facilitator, ana, ben, thread, reply = setting

    def other():
        db.session.execute(insert(EmailPreference).values(
            **{c: getattr(preferences.defaults(ana.id), c) for c in
               ("user_id", "replies", "messages", "stages", "digest", "morning", "time_zone")}))
    token = preferences.unsubscribe_token(ana.id, "replies")
    with meanwhile(EmailPreference, other) as done:
        response = client.post(f"/email/unsubscribe/{token}")
    assert done and response.status_code == 200
    db.session.expire_all()
    assert preferences.of(ana.id).replies.value == "off"


def test_make_calendar_link_twice_at_once_shows_a_link_that_works(client, login_as, factory):
    facilitator = factory.user(Role.FACILITATOR)
    cohort = factory.cohort(facilitator=facilitator, paced=True, starts_on=utcnow().date())
    learner = factory.learner_in(cohort)

    def other():
        db.session.execute(insert(CalendarFeed).values(
            token_hash="0" * 64, user_id=learner.id, cohort_id=cohort.id, created_at=utcnow()))
    login_as(learner)
    with meanwhile(CalendarFeed, other, lambda state: state.is_delete) as done:
        response = client.post(f"/cohorts/{cohort.id}/calendar", data={"action": "make"})
    assert done and response.status_code == 200
    [feed] = db.session.scalars(select(CalendarFeed).where(CalendarFeed.user_id == learner.id))
    assert feed.token_hash != "0" * 64  # the link shown (this request's) is the one that works
    link = re.search(r"/calendar/([\w-]+)\.ics", text(response)).group(1)
    assert client.get(f"/calendar/{link}.ics").status_code == 200


def test_publishing_the_toolkit_twice_at_once_publishes_it_once(factory):
    world = toolkit_world.build(factory)
    cohort = world.cohort
    before = audits(cohort)

    def other():
        db.session.execute(insert(ToolkitPublication).values(
            cohort_id=cohort.id, published_at=utcnow(), published_by_id=world.facilitator.id))
    with meanwhile(ToolkitPublication, other) as done:
        toolkit.set_published(cohort, True, world.facilitator, utcnow())
    assert done and toolkit.publication(cohort) is not None
    assert audits(cohort) == before  # the other request wrote its entry, this one none


def test_adding_the_same_co_facilitator_twice_at_once_adds_them_once(factory, setting):
    cohort, facilitator, ana, ben, thread, reply = setting
    colleague = factory.user(Role.FACILITATOR, name="Cole Colleague")
    before = audits(cohort)

    def other():
        db.session.execute(insert(Membership).values(
            cohort_id=cohort.id, user_id=colleague.id, role=MemberRole.FACILITATOR,
            joined_at=utcnow()))
    with meanwhile(Membership, other) as done:
        membership = people.add_staff(cohort, facilitator, colleague.email,
                                      MemberRole.FACILITATOR, utcnow())
    assert done and membership.active and membership.role == MemberRole.FACILITATOR
    assert audits(cohort) == before


def test_added_at_once_in_another_role_says_which(factory, setting):
    cohort, facilitator, ana, ben, thread, reply = setting
    colleague = factory.user(Role.FACILITATOR, name="Cole Colleague")

    def other():
        db.session.execute(insert(Membership).values(
            cohort_id=cohort.id, user_id=colleague.id, role=MemberRole.REVIEWER,
            joined_at=utcnow()))
    with meanwhile(Membership, other), pytest.raises(FacilitateError) as refused:
        people.add_staff(cohort, facilitator, colleague.email, MemberRole.FACILITATOR, utcnow())
    assert "already in this cohort as a reviewer" in str(refused.value)


def test_marking_complete_by_hand_twice_at_once_marks_it_once(setting):
    cohort, facilitator, ana, ben, thread, reply = setting
    chosen = etivity(cohort)
    before, told = audits(cohort), notices(ben)

    def other():
        db.session.execute(insert(Completion).values(
            cohort_id=cohort.id, user_id=ben.id, etivity_id=chosen.id, completed_at=utcnow(),
            by_hand_by_id=facilitator.id, evidence={"by_hand": True}))
    with meanwhile(Completion, other, selects_only_id) as done:
        facilitate_overrides.mark_complete(cohort, facilitator, ben, chosen, utcnow())
    assert done
    assert db.session.scalar(select(func.count()).select_from(Completion).where(
        Completion.user_id == ben.id, Completion.etivity_id == chosen.id)) == 1
    assert audits(cohort) == before and notices(ben) == told


# ---- 2: a post earning a completion marked by hand at that moment is stored ---------------

def test_a_post_is_stored_when_its_completion_was_marked_by_hand_meanwhile(factory, setting):
    cohort, facilitator, ana, ben, thread, reply = setting
    chosen = etivity(cohort, "time-and-help")  # one conversation of your own completes it
    cleo = factory.learner_in(cohort, name="Cleo")

    def other():
        db.session.execute(insert(Completion).values(
            cohort_id=cohort.id, user_id=cleo.id, etivity_id=chosen.id, completed_at=utcnow(),
            by_hand_by_id=facilitator.id, evidence={"by_hand": True}))
    with meanwhile(Completion, other, selects_only_id) as done:
        started = discussions.start_thread(cohort, chosen, cleo, "Cleo here", "Hello all.",
                                           utcnow())
    assert done and started.posts[0].id is not None
    [completion] = db.session.scalars(select(Completion).where(
        Completion.user_id == cleo.id, Completion.etivity_id == chosen.id))
    assert completion.by_hand_by_id == facilitator.id


# ---- 7, 3: hide, show, withdraw and edit act on the post as it is now ------------------------

def behind(post, **values) -> None:
    db.session.execute(update(Post.__table__).where(Post.__table__.c.id == post.id)
                       .values(**values))


def test_hiding_a_post_hidden_meanwhile_changes_nothing_more(setting):
    cohort, facilitator, ana, ben, thread, reply = setting
    count, before, told = pair_count(cohort, reply), audits(cohort), notices(ben)
    behind(reply, hidden_at=utcnow(), hidden_reason="Theirs", hidden_by_id=facilitator.id)
    with pytest.raises(FacilitateError, match="already hidden"):
        moderation.hide_post(cohort, reply, facilitator, "Mine", utcnow())
    assert pair_count(cohort, reply) == count  # the other request's own decrement aside
    assert audits(cohort) == before and notices(ben) == told
    assert reply.hidden_reason == "Theirs"


def test_showing_a_post_shown_meanwhile_changes_nothing_more(setting):
    cohort, facilitator, ana, ben, thread, reply = setting
    moderation.hide_post(cohort, reply, facilitator, "Unkind", utcnow())
    db.session.commit()
    count, before = pair_count(cohort, reply), audits(cohort)
    behind(reply, hidden_at=None, hidden_reason=None, hidden_by_id=None)
    with pytest.raises(FacilitateError, match="not hidden"):
        moderation.show_post(cohort, reply, facilitator, utcnow())
    assert pair_count(cohort, reply) == count and audits(cohort) == before


@pytest.mark.parametrize("meanwhile_", ["withdrawn", "hidden"])
def test_withdrawing_a_post_withdrawn_or_hidden_meanwhile_counts_it_once(setting, meanwhile_):
    cohort, facilitator, ana, ben, thread, reply = setting
    count = pair_count(cohort, reply)
    if meanwhile_ == "withdrawn":
        behind(reply, deleted_at=utcnow())
    else:
        behind(reply, hidden_at=utcnow(), hidden_reason="Unkind", hidden_by_id=facilitator.id)
    discussions.delete_post(reply, ben, utcnow())
    assert pair_count(cohort, reply) == count
    assert reply.deleted_at is not None


def test_an_edit_after_another_keeps_every_version(setting):
    cohort, facilitator, ana, ben, thread, reply = setting
    at = utcnow()
    db.session.execute(insert(PostRevision.__table__).values(
        post_id=reply.id, body="Hello Ana.", created_at=reply.created_at, replaced_at=at))
    behind(reply, body="Hello Ana, from the other tab.", edited_at=at)
    discussions.edit_post(reply, ben, "Hello Ana, from this tab.", utcnow())
    db.session.flush()
    bodies = db.session.scalars(select(PostRevision.body).where(PostRevision.post_id == reply.id)
                                .order_by(PostRevision.id)).all()
    assert bodies == ["Hello Ana.", "Hello Ana, from the other tab."]
    assert reply.body == "Hello Ana, from this tab."


def test_a_post_withdrawn_meanwhile_is_not_edited(setting):
    cohort, facilitator, ana, ben, thread, reply = setting
    behind(reply, deleted_at=utcnow())
    with pytest.raises(discussions.PostError, match="withdrawn"):
        discussions.edit_post(reply, ben, "Changed my mind.", utcnow())


# ---- 15b: a toolkit's current version hidden meanwhile -------------------------------------

def test_marking_current_a_post_hidden_meanwhile_is_refused(factory):
    world = toolkit_world.build(factory)
    behind(world.compiled, hidden_at=utcnow(), hidden_reason="Off topic",
           hidden_by_id=world.facilitator.id)
    with pytest.raises(toolkit.ToolkitError, match="hidden or withdrawn"):
        toolkit.mark_current(world.cohort, world.etivity, world.compiled, world.facilitator,
                             utcnow())


# ---- 1, 15a: a post refused because something changed while it was written ----------------

def test_a_reply_to_a_conversation_locked_meanwhile_comes_back_with_why(client, login_as,
                                                                       setting):
    cohort, facilitator, ana, ben, thread, reply = setting
    login_as(ben)
    thread.locked = True
    db.session.commit()
    response = client.post(f"/cohorts/{cohort.id}/threads/{thread.id}", data={"body": LONG})
    assert response.status_code == 403
    page = text(response)
    assert discussions.LOCKED in page and LONG.strip() in page
    assert "Send it again" not in page


def test_a_conversation_started_in_a_cohort_closed_meanwhile_comes_back(client, login_as,
                                                                      setting):
    cohort, facilitator, ana, ben, thread, reply = setting
    login_as(ben)
    cohort.state = CohortState.CLOSED
    db.session.commit()
    response = client.post(f"/cohorts/{cohort.id}/e/introduce-yourself",
                           data={"title": "My thoughts", "body": LONG})
    assert response.status_code == 403
    page = text(response)
    assert discussions.CLOSED in page and LONG.strip() in page and "My thoughts" in page


def test_a_reply_from_someone_removed_meanwhile_comes_back_with_why(client, login_as, setting):
    cohort, facilitator, ana, ben, thread, reply = setting
    login_as(ben)
    db.session.execute(update(Membership).where(Membership.user_id == ben.id)
                       .values(removed_at=utcnow()))
    db.session.commit()
    response = client.post(f"/cohorts/{cohort.id}/threads/{thread.id}", data={"body": LONG})
    assert response.status_code == 404  # as for anyone outside the cohort, but it says why
    page = text(response)
    assert discussions.REMOVED in page and LONG.strip() in page


def posts_by(user) -> int:
    return db.session.scalar(select(func.count()).select_from(Post)
                             .where(Post.author_id == user.id))


def test_a_reply_racing_the_writers_removal_is_refused_not_stored(client, login_as, setting):
    """The page found Ben in the cohort; his removal committed before the reply was stored."""
    cohort, facilitator, ana, ben, thread, reply = setting
    login_as(ben)
    before = posts_by(ben)

    def removed():  # a Core statement: the Membership the page loaded stays as it was read
        table = Membership.__table__
        db.session.execute(update(table).where(table.c.user_id == ben.id)
                           .values(removed_at=utcnow()))
    with meanwhile(Completion, removed) as done:  # the page has read Ben's standing
        response = client.post(f"/cohorts/{cohort.id}/threads/{thread.id}", data={"body": LONG})
    assert done and response.status_code == 403
    assert discussions.REMOVED in text(response) and posts_by(ben) == before


def test_a_conversation_racing_the_cohorts_close_is_refused_not_stored(client, login_as,
                                                                     setting):
    cohort, facilitator, ana, ben, thread, reply = setting
    login_as(ben)
    before = db.session.scalar(select(func.count()).select_from(Thread))

    def closed():
        table = type(cohort).__table__
        db.session.execute(update(table).where(table.c.id == cohort.id)
                           .values(state=CohortState.CLOSED))
    with meanwhile(Etivity, closed) as done:  # the page has loaded the e-tivity
        response = client.post(f"/cohorts/{cohort.id}/e/introduce-yourself",
                               data={"title": "My thoughts", "body": LONG})
    assert done and response.status_code == 403
    assert discussions.CLOSED in text(response)
    assert db.session.scalar(select(func.count()).select_from(Thread)) == before


# ---- 8, 10: the locks that make two requests take turns (PostgreSQL) -----------------------

def test_the_same_words_from_two_tabs_take_turns(client, login_as, setting):
    """The author's membership is locked before `find_repeat` looks for the same words, so
    the second tab waits for the first and finds its post."""
    needs_postgresql()
    cohort, facilitator, ana, ben, thread, reply = setting
    login_as(ben)
    with statements_sent() as sent:
        response = client.post(f"/cohorts/{cohort.id}/threads/{thread.id}",
                               data={"body": "Same words"})
    assert response.status_code == 302
    assert locked_before(sent, "membership", "post JOIN thread")
    with statements_sent() as sent:
        response = client.post(f"/cohorts/{cohort.id}/e/introduce-yourself",
                               data={"title": "Same title", "body": "Same words"})
    assert response.status_code == 302
    assert locked_before(sent, "membership", "post JOIN thread")
    assert locked_before(sent, "cohort", "post JOIN thread")


def test_opening_a_stage_early_twice_takes_turns_and_adds_one(setting):
    cohort, facilitator, ana, ben, thread, reply = setting
    before = audits(cohort)

    def other():
        db.session.execute(insert(Override).values(
            cohort_id=cohort.id, stage_number=3, created_by_id=facilitator.id,
            created_at=utcnow()))
    with statements_sent() as sent, meanwhile(Override, other, selects_only_id) as done:
        facilitate_overrides.open_early(cohort, facilitator, utcnow(), stage_number=3)
    assert done
    assert db.session.scalar(select(func.count()).select_from(Override)
                             .where(Override.cohort_id == cohort.id)) == 1
    assert audits(cohort) == before
    if db.engine.dialect.name == "postgresql":
        lock = next(i for i, s in enumerate(sent) if "FOR UPDATE" in s.sql)
        checks = [i for i, s in enumerate(sent) if "FROM override" in s.sql]
        assert checks[-1] > lock  # the check that counts is made under the lock


def test_open_early_returns_none_when_open_already(setting):
    cohort, facilitator, ana, ben, thread, reply = setting
    assert overrides.open_early(cohort, facilitator.id, utcnow(), stage_number=4) is not None
    assert overrides.open_early(cohort, facilitator.id, utcnow(), stage_number=4) is None
