"""The discussion predicates in course_app/permissions.py, asked directly (no HTTP).

Each one is the single answer the views and the templates share, so each case here is a
button shown or hidden and a request allowed or refused.
"""

from datetime import timedelta

import pytest
from flask import g, render_template_string
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from course_app import permissions, templating
from course_app.auth.models import Role
from course_app.clock import utcnow
from course_app.cohorts.models import CohortState, MemberRole
from course_app.cohorts.services import add_member, membership_of
from course_app.courses.models import Etivity
from course_app.design.services import add_author
from course_app.discussions import services
from course_app.extensions import db
from course_app.notifications.models import NotificationKind
from course_app.notifications.services import notify, unread_count
from database import statements_sent


def ask(predicate, user, obj) -> bool:
    g.pop("_memberships", None)  # memberships are cached per request; each ask is a new one
    return predicate(user, obj)


@pytest.fixture
def world(factory):
    """A running cohort with a facilitator, two learners, a reviewer, a thread with a reply,
    and an outsider who belongs to no cohort."""
    facilitator = factory.user(Role.FACILITATOR, name="Farah")
    cohort = factory.cohort(facilitator=facilitator)
    ana, ben = factory.learner_in(cohort, name="Ana"), factory.learner_in(cohort, name="Ben")
    reviewer = factory.user(name="Rita")
    add_member(cohort, reviewer, MemberRole.REVIEWER, utcnow() - timedelta(minutes=1))
    etivity = db.session.scalar(select(Etivity).where(Etivity.course_id == cohort.course_id,
                                                      Etivity.slug == "introduce-yourself"))
    thread = services.start_thread(cohort, etivity, ana, "Hello", "Hi all.", utcnow())
    reply = services.reply(thread, ben, "Hello Ana.", utcnow())
    db.session.commit()
    return {"cohort": cohort, "facilitator": facilitator, "ana": ana, "ben": ben,
            "reviewer": reviewer, "outsider": factory.user(name="Olly"), "thread": thread,
            "opening": thread.posts[0], "reply": reply, "etivity": etivity}


# ---- can_reply -----------------------------------------------------------------

def test_learners_and_facilitators_reply_reviewers_and_outsiders_do_not(world):
    thread = world["thread"]
    for who in ("ana", "ben", "facilitator"):
        assert ask(permissions.can_reply, world[who], thread), who
    for who in ("reviewer", "outsider"):
        assert not ask(permissions.can_reply, world[who], thread), who


def test_a_locked_thread_takes_no_replies_even_from_facilitators(world):
    world["thread"].locked = True
    assert not ask(permissions.can_reply, world["ben"], world["thread"])
    assert not ask(permissions.can_reply, world["facilitator"], world["thread"])


def test_a_retired_etivity_takes_no_replies(world):
    world["etivity"].retired = True
    assert not ask(permissions.can_reply, world["ben"], world["thread"])


@pytest.mark.parametrize("state", [CohortState.CLOSED, CohortState.ARCHIVED])
def test_a_cohort_that_is_over_takes_no_replies(world, state):
    world["cohort"].state = state
    assert not ask(permissions.can_reply, world["ben"], world["thread"])
    assert not ask(permissions.can_reply, world["facilitator"], world["thread"])


def test_a_removed_learner_cannot_reply(world):
    membership_of(world["cohort"].id, world["ben"].id).removed_at = utcnow()
    assert not ask(permissions.can_reply, world["ben"], world["thread"])


def test_the_help_thread_has_no_etivity_and_takes_replies(world):
    thread = services.ensure_help_thread(world["cohort"], world["facilitator"], utcnow())
    db.session.commit()
    assert thread.etivity is None
    assert ask(permissions.can_reply, world["ana"], thread)


# ---- your own post: edit and withdraw ----------------------------------------------

OWN_POST = (permissions.can_edit_post, permissions.can_withdraw_post)


@pytest.mark.parametrize("predicate", OWN_POST)
def test_only_the_author_edits_or_withdraws(world, predicate):
    reply = world["reply"]
    assert ask(predicate, world["ben"], reply)
    for who in ("ana", "facilitator", "reviewer", "outsider"):
        assert not ask(predicate, world[who], reply), who


@pytest.mark.parametrize("predicate", OWN_POST)
def test_hidden_or_withdrawn_posts_stay_as_they_are(world, predicate):
    reply = world["reply"]
    reply.hidden_at = utcnow()
    assert not ask(predicate, world["ben"], reply)
    reply.hidden_at, reply.deleted_at = None, utcnow()
    assert not ask(predicate, world["ben"], reply)


@pytest.mark.parametrize("predicate", OWN_POST)
def test_nothing_is_edited_once_the_cohort_is_closed(world, predicate):
    world["cohort"].state = CohortState.CLOSED
    assert not ask(predicate, world["ben"], world["reply"])


@pytest.mark.parametrize("predicate", OWN_POST)
def test_a_locked_thread_still_lets_you_mend_your_post(world, predicate):
    world["thread"].locked = True
    assert ask(predicate, world["ben"], world["reply"])


# ---- hiding, showing again, and who reads hidden text ---------------------------------

def test_facilitators_hide_shown_posts_and_show_hidden_ones(world):
    reply, farah = world["reply"], world["facilitator"]
    assert ask(permissions.can_hide_post, farah, reply)
    assert not ask(permissions.can_show_post, farah, reply)  # nothing to show again
    reply.hidden_at = utcnow()
    assert not ask(permissions.can_hide_post, farah, reply)
    assert ask(permissions.can_show_post, farah, reply)
    reply.hidden_at, reply.deleted_at = None, utcnow()
    assert not ask(permissions.can_hide_post, farah, reply)  # withdrawn by its author


@pytest.mark.parametrize("who", ["ana", "ben", "reviewer", "outsider"])
def test_nobody_else_hides_or_shows(world, who):
    reply = world["reply"]
    assert not ask(permissions.can_hide_post, world[who], reply)
    reply.hidden_at = utcnow()
    assert not ask(permissions.can_show_post, world[who], reply)


def test_hidden_text_is_for_its_author_and_the_facilitators(world):
    reply = world["reply"]
    reply.hidden_at = utcnow()
    assert ask(permissions.can_see_hidden_text, world["ben"], reply)
    assert ask(permissions.can_see_hidden_text, world["facilitator"], reply)
    for who in ("ana", "reviewer", "outsider"):
        assert not ask(permissions.can_see_hidden_text, world[who], reply), who


def test_admins_moderate_any_cohort(world, factory):
    admin = factory.user(Role.ADMIN)
    assert ask(permissions.can_hide_post, admin, world["reply"])
    assert ask(permissions.can_reply, admin, world["thread"])


def test_the_predicates_are_template_globals(app):
    names = ("can_reply", "can_edit_post", "can_withdraw_post", "can_hide_post",
             "can_show_post", "can_see_hidden_text")
    for name in names:
        assert app.jinja_env.globals[name] is getattr(permissions, name)


# ---- the site's header -----------------------------------------------------------

def test_the_header_asks_in_one_query_what_the_predicates_ask_one_by_one(world, factory):
    """The Design and Reports links and the unread count: one query a page, the same
    answers as `can_design_any`, `can_review_any` and `unread_count`."""
    author, admin = factory.user(name="Aldo"), factory.user(Role.ADMIN)
    add_author(world["cohort"].course, author, utcnow())
    gone = factory.user(name="Gil")  # reviewed the cohort once, and was removed
    add_member(world["cohort"], gone, MemberRole.REVIEWER, utcnow())
    membership_of(world["cohort"].id, gone.id).removed_at = utcnow()
    for n in range(2):
        notify(author.id, NotificationKind.MESSAGE, f"Message {n}", utcnow())
    db.session.commit()
    people = [world["facilitator"], world["ana"], world["reviewer"], world["outsider"],
              author, admin, gone]
    for person in people:
        assert person.name  # loaded, as a request's user is before the page is drawn
        with statements_sent() as sent:
            facts = templating.header(person)
        assert len(sent) == 1, person.name
        assert (facts.design, facts.review, facts.unread) == (
            permissions.can_design_any(person), permissions.can_review_any(person),
            unread_count(person.id)), person.name
    assert templating.header(author) == templating.Header(design=True, review=False, unread=2)
    assert templating.header(admin) == templating.Header(design=True, review=True, unread=0)
    assert templating.header(world["reviewer"]).review
    assert not templating.header(gone).review
    assert templating.header(world["outsider"]) == templating.Header()
    with statements_sent() as sent:
        assert templating.header(AnonymousUserMixin()) == templating.Header()
        assert not permissions.can_design_any(AnonymousUserMixin())
        assert not permissions.can_review_any(AnonymousUserMixin())
    assert sent == []


def test_the_header_asks_once_a_request_and_other_templates_ask_nothing(app, world):
    """An email drawn while a facilitator's request runs (an invitation, one per person
    invited) asks nothing for a header it doesn't have; a page's header asks once however
    often it looks."""
    ana = world["ana"]
    assert ana.name  # loaded, as a request's user is
    with app.test_request_context():
        g.pop("_site_header", None)
        g._login_user = ana  # logged in, as Flask-Login keeps it for the request
        try:
            with statements_sent() as sent:
                render_template_string("An email about {{ 2|plural('post', 'posts') }}.")
            assert sent == []
            with statements_sent() as sent:
                first, again = templating.site_header(), templating.site_header()
            assert len(sent) == 1 and first is again
        finally:
            g.pop("_site_header", None)
            g.pop("_login_user", None)
