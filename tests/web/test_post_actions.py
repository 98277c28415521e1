"""The actions on a post (reply, edit, withdraw, hide, show again) as each person sees them: the
page offers exactly what the views allow, because both ask the same permissions predicates."""

import html
from datetime import timedelta

import pytest
from sqlalchemy import select

from course_app.auth.models import Role
from course_app.clock import utcnow
from course_app.cohorts.models import CohortState, MemberRole
from course_app.cohorts.services import add_member
from course_app.courses.models import Etivity
from course_app.discussions import services
from course_app.extensions import db


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def article(page: str, post) -> str:
    return page.split(f'id="post-{post.id}"')[1].split("</article>")[0]


def offered(page: str, post) -> set[str]:
    """The actions the page offers on one post."""
    part = article(page, post)
    actions = {
        "reply": f"reply_to={post.id}" in part,
        "edit": f"/posts/{post.id}/edit" in part,
        "withdraw": f"/posts/{post.id}/withdraw" in part,
        "hide": f"/posts/{post.id}/hide" in part,
        "show": f"/posts/{post.id}/show" in part,
    }
    return {name for name, shown in actions.items() if shown}


@pytest.fixture
def world(factory):
    facilitator = factory.user(Role.FACILITATOR)
    cohort = factory.cohort(facilitator=facilitator)
    ana, ben = factory.learner_in(cohort), factory.learner_in(cohort)
    reviewer = factory.user()
    add_member(cohort, reviewer, MemberRole.REVIEWER, utcnow() - timedelta(minutes=1))
    etivity = db.session.scalar(select(Etivity).where(Etivity.course_id == cohort.course_id,
                                                      Etivity.slug == "introduce-yourself"))
    thread = services.start_thread(cohort, etivity, ana, "Hello", "Hi all.", utcnow())
    reply = services.reply(thread, ben, "Hello Ana.", utcnow())
    db.session.commit()
    return {"cohort": cohort, "facilitator": facilitator, "ana": ana, "ben": ben,
            "reviewer": reviewer, "thread": thread, "reply": reply, "etivity": etivity}


def thread_page(client, login_as, world, who: str) -> str:
    login_as(world[who])
    return text(client.get(f"/cohorts/{world['cohort'].id}/threads/{world['thread'].id}?page=1"))


@pytest.mark.parametrize("who, actions", [
    ("ben", {"reply", "edit", "withdraw"}),  # the author
    ("ana", {"reply"}),  # a peer
    ("facilitator", {"reply", "hide"}),
    ("reviewer", set()),
])
def test_each_person_is_offered_what_they_may_do(client, login_as, world, who, actions):
    assert offered(thread_page(client, login_as, world, who), world["reply"]) == actions


def test_a_closed_cohort_offers_only_moderation(client, login_as, world):
    world["cohort"].state = CohortState.CLOSED
    db.session.commit()
    assert offered(thread_page(client, login_as, world, "ben"), world["reply"]) == set()
    assert offered(thread_page(client, login_as, world, "facilitator"), world["reply"]) == {"hide"}
    reply_id, cohort_id = world["reply"].id, world["cohort"].id
    login_as(world["ben"])
    assert client.get(f"/cohorts/{cohort_id}/posts/{reply_id}/edit").status_code == 403
    assert client.get(f"/cohorts/{cohort_id}/posts/{reply_id}/withdraw").status_code == 403


def test_a_locked_thread_offers_no_reply_but_lets_the_author_mend(client, login_as, world):
    world["thread"].locked = True
    db.session.commit()
    assert offered(thread_page(client, login_as, world, "ben"),
                   world["reply"]) == {"edit", "withdraw"}
    login_as(world["ben"])
    response = client.post(f"/cohorts/{world['cohort'].id}/posts/{world['reply'].id}/edit",
                           data={"body": "Hello Ana, again."})
    assert response.status_code == 302


def test_a_hidden_post_shows_its_text_to_its_author_and_facilitators(client, login_as, world):
    world["reply"].hidden_at, world["reply"].hidden_reason = utcnow(), "Off topic"
    db.session.commit()
    for who, sees_text, actions in (("ben", True, set()), ("facilitator", True, {"show"}),
                                    ("ana", False, set()), ("reviewer", False, set())):
        page = thread_page(client, login_as, world, who)
        assert ("Hello Ana." in article(page, world["reply"])) is sees_text, who
        assert offered(page, world["reply"]) == actions, who


@pytest.mark.parametrize("how", ["hidden", "withdrawn"])
def test_a_hidden_or_withdrawn_post_cannot_be_edited_even_by_its_author(world, how):
    reply = world["reply"]
    if how == "hidden":
        reply.hidden_at = utcnow()
    else:
        reply.deleted_at = utcnow()
    with pytest.raises(services.PostError, match="can't be edited"):
        services.edit_post(reply, reply.author, "Something else.", utcnow())
    assert reply.body == "Hello Ana."


@pytest.mark.parametrize("who, state, says", [
    ("reviewer", CohortState.RUNNING, "only the cohort's learners and facilitators reply"),
    ("ben", CohortState.CLOSED, "This cohort has closed: you can still read everything"),
    ("reviewer", CohortState.CLOSED, "This cohort has closed: you can still read everything"),
])
def test_without_a_reply_form_the_page_says_why(client, login_as, world, who, state, says):
    world["cohort"].state = state
    db.session.commit()
    page = thread_page(client, login_as, world, who)
    assert 'id="reply-form"' not in page and says in page
