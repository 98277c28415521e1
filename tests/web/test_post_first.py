"""E-tivity options from content: "post first" and the suggested days for posts and replies."""

import html
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from course_app.auth.models import Role
from course_app.clock import utcnow
from course_app.cohorts.services import membership_of
from course_app.courses.models import Etivity
from course_app.discussions import services
from course_app.discussions.models import Post
from course_app.extensions import db
from course_app.progress.evidence import void_post
from course_app.progress.models import Override

SLUG = "letting-go"  # stage 4, post_first: true, first_post_day: 2, replies_day: 4
WAIT = '<p class="notice">Start your own conversation first; the others appear once you have.'




@pytest.fixture
def setting(factory):
    """A cohort with stage 4 opened early for everyone, a facilitator, and three learners."""
    facilitator = factory.user(Role.FACILITATOR, name="Farah")
    cohort = factory.cohort(facilitator=facilitator)
    db.session.add(Override(cohort_id=cohort.id, stage_number=4, created_by_id=facilitator.id,
                            created_at=utcnow()))
    db.session.commit()
    ana, ben, cara = (factory.learner_in(cohort, name=n) for n in ("Ana", "Ben", "Cara"))
    etivity = db.session.scalar(select(Etivity).where(Etivity.course_id == cohort.course_id,
                                                      Etivity.slug == SLUG))
    assert etivity.post_first
    return cohort, etivity, facilitator, ana, ben, cara


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def page_url(cohort) -> str:
    return f"/cohorts/{cohort.id}/e/{SLUG}"


def start(cohort, etivity, author, title):
    thread = services.start_thread(cohort, etivity, author, title, "What I would do.", utcnow())
    db.session.commit()
    return thread


def test_peers_pieces_stay_hidden_until_you_post_yours(client, setting, login_as):
    cohort, etivity, _facilitator, ana, ben, _cara = setting
    bens = start(cohort, etivity, ben, "Ben would lock it down")
    login_as(ana)
    page = text(client.get(page_url(cohort)))
    assert WAIT in page
    assert "1 conversation is waiting for you." in page
    assert "Ben would lock it down" not in page
    assert '<h2 id="start-heading">Start a conversation</h2>' in page

    response = client.get(f"/cohorts/{cohort.id}/threads/{bens.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == page_url(cohort) + "#start"
    assert "Start your own conversation first" in text(client.get(response.headers["Location"]))
    assert client.post(f"/cohorts/{cohort.id}/threads/{bens.id}",
                       data={"body": "Peeking"}).status_code == 302
    assert db.session.scalar(select(func.count(Post.id)).where(Post.author_id == ana.id)) == 0

    response = client.post(page_url(cohort), data={"title": "Ana would let it run",
                                                   "body": "Let it run, watch closely."})
    assert response.status_code == 302
    page = text(client.get(page_url(cohort)))
    assert "Ben would lock it down" in page and WAIT not in page
    assert client.get(f"/cohorts/{cohort.id}/threads/{bens.id}").status_code in (200, 302)
    response = client.get(f"/cohorts/{cohort.id}/threads/{bens.id}", follow_redirects=True)
    assert "Ben would lock it down" in text(response)
    assert WAIT not in text(response)


def test_deleting_your_piece_does_not_hide_the_others_again(client, setting, login_as):
    cohort, etivity, _facilitator, ana, ben, _cara = setting
    start(cohort, etivity, ben, "Ben would lock it down")
    anas = start(cohort, etivity, ana, "Ana would let it run")
    login_as(ana)
    response = client.post(f"/cohorts/{cohort.id}/posts/{anas.posts[0].id}/withdraw")
    assert response.status_code == 302
    page = text(client.get(page_url(cohort)))
    assert "Ben would lock it down" in page
    assert WAIT not in page


def test_a_hidden_piece_does_not_hide_the_others_again(client, setting, login_as):
    cohort, etivity, _facilitator, ana, ben, _cara = setting
    start(cohort, etivity, ben, "Ben would lock it down")
    anas = start(cohort, etivity, ana, "Ana would let it run")
    anas.posts[0].hidden_at = utcnow()
    void_post(anas.posts[0].id, utcnow())
    db.session.commit()
    login_as(ana)
    assert "Ben would lock it down" in text(client.get(page_url(cohort)))


def test_facilitators_see_every_piece(client, setting, login_as):
    cohort, etivity, facilitator, _ana, ben, _cara = setting
    bens = start(cohort, etivity, ben, "Ben would lock it down")
    login_as(facilitator)
    page = text(client.get(page_url(cohort)))
    assert "Ben would lock it down" in page and WAIT not in page
    assert client.get(f"/cohorts/{cohort.id}/threads/{bens.id}",
                      follow_redirects=True).status_code == 200


def test_without_post_first_pieces_are_visible_at_once(client, setting, login_as):
    cohort, etivity, _facilitator, ana, ben, _cara = setting
    etivity.post_first = False
    db.session.commit()
    start(cohort, etivity, ben, "Ben would lock it down")
    login_as(ana)
    page = text(client.get(page_url(cohort)))
    assert "Ben would lock it down" in page and WAIT not in page


def test_suggested_days_for_first_post_and_replies(client, setting, login_as):
    cohort, etivity, facilitator, ana, _ben, _cara = setting
    login_as(ana)
    page = text(client.get(page_url(cohort)))
    day_1 = utcnow().date()  # stage 4 opened for everyone today, by the override
    first = day_1 + timedelta(days=etivity.first_post_day - 1)
    replies = day_1 + timedelta(days=etivity.replies_day - 1)
    assert (f"Suggested for your first post: day {etivity.first_post_day} "
            f"({first:%A} {first.day} {first:%B %Y}).") in page
    assert (f"Suggested for your replies: day {etivity.replies_day} "
            f"({replies:%A} {replies.day} {replies:%B %Y}).") in page
    login_as(facilitator)
    page = text(client.get(page_url(cohort)))
    assert f"Suggested for first posts: day {etivity.first_post_day}." in page


def test_the_brief_says_when_a_suggested_day_is_done_or_has_passed(client, setting, login_as):
    cohort, etivity, _facilitator, ana, _ben, _cara = setting
    override = db.session.scalar(select(Override).where(Override.cohort_id == cohort.id))
    override.created_at = utcnow() - timedelta(days=etivity.replies_day)  # both days went by
    membership_of(cohort.id, ana.id).joined_at = override.created_at  # she was there then
    db.session.commit()
    login_as(ana)
    page = text(client.get(page_url(cohort)))
    late = "That day has passed, but it’s not too late."
    assert page.count(late) == 2
    start(cohort, etivity, ana, "Ana would ask the team")
    page = text(client.get(page_url(cohort)))
    first = override.created_at.date() + timedelta(days=etivity.first_post_day - 1)
    assert (f"Suggested for your first post: day {etivity.first_post_day} "
            f"({first:%A} {first.day} {first:%B %Y}). You have posted.") in page
    assert page.count(late) == 1  # the replies are still to come
