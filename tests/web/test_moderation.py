"""Moderation on the discussion pages: hide a post with a reason and show it again, pin and
lock threads; and who may do any of the e-moderation actions at all."""

import html
import re

import pytest
from sqlalchemy import func, select

from course_app.auth.models import Role
from course_app.clock import utcnow
from course_app.cohorts.models import MemberRole
from course_app.cohorts.services import add_member
from course_app.discussions import services as discussions
from course_app.discussions.models import Post, Thread
from course_app.discussions.weaves import Citation
from course_app.extensions import db
from course_app.facilitate.models import AuditEntry
from course_app.notifications.models import Notification
from course_app.progress.models import Completion, Override


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def etivity(cohort, slug="introduce-yourself"):
    return next(e for e in cohort.course.etivities if e.slug == slug)


def start(cohort, author, title="Hello from me", body="Hi all.", slug="introduce-yourself"):
    thread = discussions.start_thread(cohort, etivity(cohort, slug), author, title, body, utcnow())
    db.session.commit()
    return thread


def open_thread(client, cohort, thread):
    response = client.get(f"/cohorts/{cohort.id}/threads/{thread.id}")
    if response.status_code == 302:
        response = client.get(response.headers["Location"])
    return response


def audits(cohort, action=None) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.cohort_id == cohort.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return db.session.scalars(query.order_by(AuditEntry.id)).all()


def field_error(response, field_id: str) -> str:
    match = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>', text(response), re.S)
    return match.group(1).strip() if match else ""


@pytest.fixture
def setting(factory):
    """A cohort with its facilitator, two learners and a piece by Ana."""
    facilitator = factory.user(Role.FACILITATOR, name="Farah Facilitator")
    cohort = factory.cohort(facilitator=facilitator)
    ana = factory.learner_in(cohort, name="Ana Okafor")
    ben = factory.learner_in(cohort, name="Ben Marsh")
    thread = start(cohort, ana, "Ana says hello", "Something rather unkind about Ben.")
    return cohort, facilitator, ana, ben, thread


def hide_url(cohort, post):
    return f"/facilitate/cohorts/{cohort.id}/posts/{post.id}/hide"


# ---- hiding and showing ---------------------------------------------------------

def test_facilitator_sees_hide_and_thread_tools_learners_do_not(client, login_as, setting):
    cohort, facilitator, ana, ben, thread = setting
    login_as(facilitator)
    page = text(open_thread(client, cohort, thread))
    assert hide_url(cohort, thread.posts[0]) in page
    assert "Pin this conversation" in page and "Lock this conversation" in page
    page = text(client.get(f"/cohorts/{cohort.id}/e/introduce-yourself"))
    assert f"/facilitate/cohorts/{cohort.id}/threads/{thread.id}/flags" in page
    assert "Weave a summary" in page and "Who has read whom" in page

    login_as(ben)
    page = text(open_thread(client, cohort, thread))
    assert "/hide" not in page and "Pin this conversation" not in page
    page = text(client.get(f"/cohorts/{cohort.id}/e/introduce-yourself"))
    assert "/flags" not in page and "Weave a summary" not in page


def test_hide_page_asks_why(client, login_as, setting):
    cohort, facilitator, ana, ben, thread = setting
    login_as(facilitator)
    response = client.get(hide_url(cohort, thread.posts[0]))
    assert response.status_code == 200
    page = text(response)
    assert "<title>Hide a post · Ana says hello" in page
    assert "Hide Ana Okafor’s post?" in page
    assert "Something rather unkind" in page
    assert '<label for="reason">Why are you hiding it?</label>' in page
    assert 'aria-label="Breadcrumb"' in page and ">Facilitate</a>" in page
    assert "Cancel: keep it as it is" in page


def test_hide_without_a_reason_is_refused_beside_the_field(client, login_as, setting):
    cohort, facilitator, ana, ben, thread = setting
    login_as(facilitator)
    response = client.post(hide_url(cohort, thread.posts[0]), data={"reason": "   "})
    assert response.status_code == 400
    assert "Say why you are hiding it" in field_error(response, "reason")
    assert db.session.get(Post, thread.posts[0].id).hidden_at is None
    assert audits(cohort) == []
    too_long = "x" * 501
    response = client.post(hide_url(cohort, thread.posts[0]), data={"reason": too_long})
    assert response.status_code == 400
    assert "under 500 characters" in field_error(response, "reason")
    assert too_long in text(response)  # what was typed is kept


def test_hide_with_a_reason_author_sees_why_others_only_the_notice(client, login_as, setting):
    cohort, facilitator, ana, ben, thread = setting
    post = thread.posts[0]
    login_as(facilitator)
    response = client.post(hide_url(cohort, post), data={"reason": "Please keep it kind."})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/cohorts/{cohort.id}/threads/{thread.id}?page=1#post-{post.id}")
    db.session.expire_all()
    post = db.session.get(Post, post.id)
    assert post.hidden_at is not None and post.hidden_reason == "Please keep it kind."
    assert post.body == "Something rather unkind about Ben."
    [entry] = audits(cohort, "hide")
    assert entry.actor_id == facilitator.id and entry.target == f"post {post.id}"
    page = text(client.get(response.headers["Location"]))
    assert "The post is hidden." in page
    assert "Show again" in page

    login_as(ana)
    page = text(open_thread(client, cohort, thread))
    assert "hidden by a facilitator: Please keep it kind." in page
    assert "Your text, which only you and the facilitators can see" in page
    assert "Something rather unkind about Ben." in page
    assert "Show again" not in page
    assert db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == ana.id, Notification.text.contains("Please keep it kind"))) == 1

    login_as(ben)
    page = text(open_thread(client, cohort, thread))
    assert "hidden by a facilitator: Please keep it kind." in page
    assert "Something rather unkind" not in page


def test_show_again(client, login_as, setting):
    cohort, facilitator, ana, ben, thread = setting
    post = thread.posts[0]
    login_as(facilitator)
    client.post(hide_url(cohort, post), data={"reason": "Off topic"})
    response = client.post(f"/facilitate/cohorts/{cohort.id}/posts/{post.id}/show")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Post, post.id).hidden_at is None
    assert [a.action for a in audits(cohort)] == ["hide", "show"]
    login_as(ben)
    page = text(open_thread(client, cohort, thread))
    assert "Something rather unkind about Ben." in page and "hidden by a facilitator" not in page


def test_hiding_twice_or_showing_a_visible_post_changes_nothing(client, login_as, setting):
    cohort, facilitator, ana, ben, thread = setting
    post = thread.posts[0]
    login_as(facilitator)
    response = client.post(f"/facilitate/cohorts/{cohort.id}/posts/{post.id}/show")
    assert response.status_code == 302
    assert "That post is not hidden." in text(client.get(response.headers["Location"]))
    client.post(hide_url(cohort, post), data={"reason": "Off topic"})
    response = client.get(hide_url(cohort, post))
    assert response.status_code == 302  # already hidden: back to the thread
    assert [a.action for a in audits(cohort)] == ["hide"]


# ---- pin and lock ------------------------------------------------------------------

def flags_url(cohort, thread):
    return f"/facilitate/cohorts/{cohort.id}/threads/{thread.id}/flags"


def test_pin_and_unpin_from_the_thread_page(client, login_as, setting):
    cohort, facilitator, ana, ben, thread = setting
    other = start(cohort, ben, "Ben's piece")  # newer, so first until Ana's is pinned
    login_as(facilitator)
    response = client.post(flags_url(cohort, thread), data={"pinned": "1"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cohorts/{cohort.id}/threads/{thread.id}"
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).pinned
    page = text(client.get(f"/cohorts/{cohort.id}/e/introduce-yourself"))
    assert page.index("Ana says hello") < page.index("Ben's piece")
    assert "Unpin" in page
    response = client.post(flags_url(cohort, thread), data={"pinned": "0"})
    db.session.expire_all()
    assert not db.session.get(Thread, thread.id).pinned
    assert [a.action for a in audits(cohort)] == ["pinned", "pinned"]
    assert [a.summary for a in audits(cohort)] == ["Pinned “Ana says hello”",
                                                   "Unpinned “Ana says hello”"]
    assert other.pinned is False


def test_lock_from_the_list_stops_learner_replies(client, login_as, setting):
    cohort, facilitator, ana, ben, thread = setting
    login_as(facilitator)
    response = client.post(flags_url(cohort, thread), data={"locked": "1", "back": "etivity"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cohorts/{cohort.id}/e/introduce-yourself#threads"
    assert "It is locked" in text(client.get(response.headers["Location"]))
    [entry] = audits(cohort, "locked")
    assert entry.summary == "Locked “Ana says hello”"

    login_as(ben)
    page = text(open_thread(client, cohort, thread))
    assert "This conversation is locked by a facilitator." in page
    assert "Send reply" not in page
    before = db.session.scalar(select(func.count(Post.id)))
    response = client.post(f"/cohorts/{cohort.id}/threads/{thread.id}", data={"body": "Hi"})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count(Post.id))) == before

    login_as(facilitator)
    client.post(flags_url(cohort, thread), data={"locked": "0"})
    login_as(ben)
    assert "Send reply" in text(open_thread(client, cohort, thread))


def test_flags_without_a_flag_are_a_bad_request(client, login_as, setting):
    cohort, facilitator, ana, ben, thread = setting
    login_as(facilitator)
    assert client.post(flags_url(cohort, thread), data={"pinned": "maybe"}).status_code == 400
    assert audits(cohort) == []


def test_learner_cannot_hide_pin_or_lock(client, login_as, setting):
    cohort, facilitator, ana, ben, thread = setting
    login_as(ben)
    post = thread.posts[0]
    assert client.get(hide_url(cohort, post)).status_code == 403
    assert client.post(hide_url(cohort, post), data={"reason": "mine"}).status_code == 403
    assert client.post(flags_url(cohort, thread), data={"locked": "1"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Post, post.id).hidden_at is None
    assert not db.session.get(Thread, thread.id).locked
    assert audits(cohort) == []


def test_objects_must_belong_to_the_cohort(client, factory, login_as, setting):
    cohort, facilitator, ana, ben, thread = setting
    other = factory.cohort(facilitator=facilitator)
    theirs = start(other, factory.learner_in(other), "Elsewhere")
    login_as(facilitator)
    post = theirs.posts[0]
    assert client.get(hide_url(cohort, post)).status_code == 404
    assert client.post(hide_url(cohort, post), data={"reason": "x"}).status_code == 404
    assert client.post(f"/facilitate/cohorts/{cohort.id}/posts/{post.id}/show").status_code == 404
    assert client.post(flags_url(cohort, theirs), data={"pinned": "1"}).status_code == 404
    assert client.get(f"/facilitate/cohorts/{cohort.id}/e/no-such-thing/weave").status_code == 404
    db.session.expire_all()
    assert db.session.get(Post, post.id).hidden_at is None
    assert not db.session.get(Thread, theirs.id).pinned


# ---- access: every e-moderation route, everyone who must be refused ---------------------

def _routes(cohort, thread, learner):
    post = thread.posts[0]
    base = f"/facilitate/cohorts/{cohort.id}"
    e = "introduce-yourself"
    gets = [f"{base}/posts/{post.id}/hide", f"{base}/e/{e}/weave", f"{base}/overrides",
            f"{base}/nudge", f"{base}/nudge?who=group:all", f"{base}/e/{e}/reading",
            f"{base}/audit"]
    posts = [
        (f"{base}/posts/{post.id}/hide", {"reason": "Because"}),
        (f"{base}/posts/{post.id}/show", {}),
        (f"{base}/threads/{thread.id}/flags", {"pinned": "1", "locked": "1"}),
        (f"{base}/e/{e}/weave", {"title": "T", "body": "B", f"cite_{post.id}": "y"}),
        (f"{base}/overrides", {"which": "stage", "stage-stage": "2",
                               "stage-learner": str(learner.id)}),
        (f"{base}/overrides", {"which": "complete", "complete-learner": str(learner.id),
                               "complete-etivity": str(etivity(cohort).id),
                               "complete-confirm": "yes"}),
        (f"{base}/nudge", {"who": "group:all", "recipients": str(learner.id),
                           "text": "Hello {name}"}),
    ]
    return gets, posts


def _nothing_changed(cohort, thread):
    db.session.expire_all()
    assert audits(cohort) == []
    assert db.session.scalar(select(func.count(Override.id))) == 0
    assert db.session.scalar(select(func.count(Completion.id))) == 0
    assert db.session.scalar(select(func.count(Citation.id))) == 0
    assert db.session.scalar(select(func.count(Notification.id))) == 0
    assert db.session.scalar(select(func.count(Thread.id))) == 1
    fresh = db.session.get(Thread, thread.id)
    assert not fresh.pinned and not fresh.locked and fresh.posts[0].hidden_at is None


@pytest.mark.parametrize("who", ["anonymous", "learner", "other facilitator", "reviewer"])
def test_every_action_is_refused_with_nothing_changed(client, factory, login_as, who):
    facilitator = factory.user(Role.FACILITATOR)
    cohort = factory.cohort(facilitator=facilitator)
    ana = factory.learner_in(cohort, name="Ana")
    thread = discussions.start_thread(cohort, etivity(cohort), ana, "Hi", "Hello", utcnow())
    db.session.commit()
    expected = {"anonymous": 302, "learner": 403, "other facilitator": 404, "reviewer": 403}[who]
    if who == "learner":
        login_as(factory.learner_in(cohort))
    elif who == "other facilitator":
        stranger = factory.user(Role.FACILITATOR)
        factory.cohort(facilitator=stranger)
        login_as(stranger)
    elif who == "reviewer":
        sponsor = factory.user(Role.LEARNER, name="Sponsor")
        add_member(cohort, sponsor, MemberRole.REVIEWER, utcnow())
        db.session.commit()
        login_as(sponsor)
    gets, posts = _routes(cohort, thread, ana)
    for url in gets:
        response = client.get(url)
        assert response.status_code == expected, url
        if who == "anonymous":
            assert "/account/login" in response.headers["Location"], url
    for url, data in posts:
        response = client.post(url, data=data)
        assert response.status_code == expected, url
        if who == "anonymous":
            assert "/account/login" in response.headers["Location"], url
    _nothing_changed(cohort, thread)


def test_admin_may_moderate_any_cohort(client, factory, login_as):
    cohort = factory.cohort()
    ana = factory.learner_in(cohort)
    thread = start(cohort, ana)
    login_as(factory.user(Role.ADMIN))
    assert client.get(f"/facilitate/cohorts/{cohort.id}/audit").status_code == 200
    response = client.post(hide_url(cohort, thread.posts[0]), data={"reason": "Spam"})
    assert response.status_code == 302
    assert [a.action for a in audits(cohort)] == ["hide"]
