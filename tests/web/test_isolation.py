"""Cohorts never see each other: a learner of cohort A gets 404 or 403 for every URL of cohort B,
and nothing they send there is stored."""

import pytest
from flask import url_for
from sqlalchemy import func, select

from course_app.auth.models import Role
from course_app.clock import utcnow
from course_app.courses.models import Etivity
from course_app.discussions import services
from course_app.discussions.models import Post, PostRead, Thread
from course_app.extensions import db
from course_app.progress.models import Activity


@pytest.fixture
def two_cohorts(app, factory):
    """Cohorts A and B of the same course, each with a thread, a reply and a help thread."""
    course = factory.course()
    made = {}
    for label in ("A", "B"):
        facilitator = factory.user(Role.FACILITATOR)
        cohort = factory.cohort(course=course, facilitator=facilitator, name=f"Cohort {label}")
        learner = factory.learner_in(cohort, name=f"Learner {label}")
        peer = factory.learner_in(cohort, name=f"Peer {label}")
        etivity = db.session.scalar(select(Etivity).where(Etivity.course_id == course.id,
                                                          Etivity.slug == "introduce-yourself"))
        thread = services.start_thread(cohort, etivity, peer, f"Hello from {label}",
                                       f"Secret words of cohort {label}", utcnow())
        reply = services.reply(thread, learner, f"Reply in cohort {label}", utcnow())
        help_thread = services.ensure_help_thread(cohort, facilitator, utcnow())
        db.session.commit()
        made[label] = dict(cohort=cohort, learner=learner, peer=peer, thread=thread, reply=reply,
                           help=help_thread, etivity=etivity)
    return made


def snapshot() -> tuple[int, ...]:
    db.session.expire_all()
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Thread, Post, PostRead, Activity)) + (
        db.session.scalar(select(func.count()).select_from(Post)
                          .where(Post.edited_at.is_not(None) | Post.deleted_at.is_not(None))),)


def b_urls(app, b, a) -> list[str]:
    cohort, thread, post = b["cohort"], b["thread"], b["reply"]
    with app.test_request_context():
        return [
            url_for("discussions.etivity", cohort_id=cohort.id, slug="introduce-yourself"),
            url_for("discussions.etivity", cohort_id=cohort.id, slug="introduce-yourself",
                    piece="Tips"),
            url_for("discussions.thread", cohort_id=cohort.id, thread_id=thread.id),
            url_for("discussions.thread", cohort_id=cohort.id, thread_id=thread.id, page=1),
            url_for("discussions.thread", cohort_id=cohort.id, thread_id=b["help"].id),
            url_for("discussions.help", cohort_id=cohort.id),
            url_for("discussions.edit_post", cohort_id=cohort.id, post_id=post.id),
            url_for("discussions.withdraw_post", cohort_id=cohort.id, post_id=post.id),
            url_for("learner.map", cohort_id=cohort.id),
            url_for("learner.my_progress", cohort_id=cohort.id),
            url_for("api.cohort_progress", cohort_id=cohort.id),
            # B's objects under A's cohort id: still not found.
            url_for("discussions.thread", cohort_id=a["cohort"].id, thread_id=thread.id),
            url_for("discussions.edit_post", cohort_id=a["cohort"].id, post_id=post.id),
            url_for("discussions.withdraw_post", cohort_id=a["cohort"].id, post_id=post.id),
        ]


def test_a_learner_of_a_cannot_open_any_page_of_b(app, client, two_cohorts, login_as):
    a, b = two_cohorts["A"], two_cohorts["B"]
    login_as(a["learner"])
    before = snapshot()
    for url in b_urls(app, b, a):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert "Secret words of cohort B" not in response.get_data(as_text=True), url
    assert snapshot() == before  # not even a read was recorded


def test_a_learner_of_a_cannot_post_anything_in_b(app, client, two_cohorts, login_as):
    a, b = two_cohorts["A"], two_cohorts["B"]
    login_as(a["learner"])
    bs_own = b["reply"]  # a post B's learner may edit and delete; A's learner may not
    cohort, thread = b["cohort"], b["thread"]
    before = snapshot()
    with app.test_request_context():
        posts = [
            (url_for("discussions.etivity", cohort_id=cohort.id, slug="introduce-yourself"),
             {"title": "Intruder", "body": "Let me in"}),
            (url_for("discussions.thread", cohort_id=cohort.id, thread_id=thread.id),
             {"body": "Let me in"}),
            (url_for("discussions.thread", cohort_id=cohort.id, thread_id=b["help"].id),
             {"body": "Let me in"}),
            (url_for("discussions.edit_post", cohort_id=cohort.id, post_id=bs_own.id),
             {"body": "Changed"}),
            (url_for("discussions.withdraw_post", cohort_id=cohort.id, post_id=bs_own.id), {}),
            # A's own URLs, pointing at B's objects.
            (url_for("discussions.thread", cohort_id=a["cohort"].id, thread_id=thread.id),
             {"body": "Let me in"}),
            (url_for("discussions.edit_post", cohort_id=a["cohort"].id, post_id=bs_own.id),
             {"body": "Changed"}),
            (url_for("discussions.withdraw_post", cohort_id=a["cohort"].id, post_id=bs_own.id), {}),
        ]
    for url, data in posts:
        response = client.post(url, data=data)
        assert response.status_code in (403, 404), url
    assert snapshot() == before


def test_replying_in_a_with_a_parent_from_b_stores_nothing(client, two_cohorts, login_as):
    a, b = two_cohorts["A"], two_cohorts["B"]
    login_as(a["learner"])
    before = snapshot()
    response = client.post(f"/cohorts/{a['cohort'].id}/threads/{a['thread'].id}",
                           data={"body": "Quoting B", "parent_id": str(b["reply"].id)})
    assert response.status_code == 400
    assert "Secret words of cohort B" not in response.get_data(as_text=True)
    assert snapshot() == before


def test_the_same_learner_can_open_their_own_cohort(client, two_cohorts, login_as):
    """The other half of the check: A's URLs do work for A's learner."""
    a = two_cohorts["A"]
    login_as(a["learner"])
    assert client.get(f"/cohorts/{a['cohort'].id}/e/introduce-yourself").status_code == 200
    response = client.get(f"/cohorts/{a['cohort'].id}/threads/{a['thread'].id}",
                          follow_redirects=True)
    assert "Secret words of cohort A" in response.get_data(as_text=True)
