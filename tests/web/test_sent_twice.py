"""A post sent twice is stored once. The same form sent twice carries its key (a double
click); the same words sent again after the Back button come with a new key, so the words
themselves, in the same place within ten minutes, are the post already stored
(`services.find_repeat`). And a form with two fields wrong says both at once."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from course_app.clock import utcnow
from course_app.discussions import services
from course_app.discussions.models import Post, Thread
from course_app.extensions import db
from learner_journey import start


def posts() -> int:
    return db.session.scalar(select(func.count(Post.id)))


def flashed(client, response) -> str:
    return html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))


def test_a_reply_sent_again_after_going_back_is_stored_once(client, factory, login_as):
    cohort = factory.cohort()
    ana, ben = factory.learner_in(cohort), factory.learner_in(cohort)
    thread = start(cohort, ben, "introduce-yourself")
    db.session.commit()
    login_as(ana)
    url = f"/cohorts/{cohort.id}/threads/{thread.id}"
    first = client.post(url, data={"body": "Good to meet you, Ben.", "submission_key": "a" * 32})
    assert "Your reply is posted." in flashed(client, first)
    before = posts()
    # Back, and Send again: the page was drawn anew, so its key is new; the words are the same
    # (line ends and trailing spaces aside).
    again = client.post(url, data={"body": "Good to meet you, Ben.  \r\n",
                                   "submission_key": "b" * 32})
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    assert "You had already sent this, so it is posted once." in flashed(client, again)
    assert posts() == before


def test_the_same_words_elsewhere_or_later_are_new_posts(factory):
    cohort = factory.cohort()
    ana, ben = factory.learner_in(cohort), factory.learner_in(cohort)
    thread = start(cohort, ben, "introduce-yourself")
    now = utcnow()

    def repeat(who=ana, parent=None, at=now):
        return services.find_repeat(who, at, "Thanks!", thread=thread, parent=parent)

    first = services.reply(thread, ana, "Thanks!", now - timedelta(minutes=5))
    assert repeat() == first  # to the opening post, five minutes ago
    assert repeat(at=now + timedelta(minutes=4)) == first  # nine minutes: sent again
    # A second "Thanks!" a quarter or half an hour later is meant: a new post.
    assert repeat(at=now + timedelta(minutes=10)) is None
    assert repeat(at=now + timedelta(minutes=25)) is None
    assert repeat(who=ben) is None  # someone else
    assert repeat(parent=first) is None  # to another post
    to_first = services.reply(thread, ana, "Thanks!", now, parent=first)
    assert repeat(parent=first) == to_first
    # A withdrawn or hidden reply is not the one sent again: the new one is posted.
    services.delete_post(to_first, ana, now)
    assert repeat(parent=first) is None
    # Services store what they are given: a demo or a test may say "Thanks!" twice.
    assert services.reply(thread, ana, "Thanks!", now).id != first.id


def test_a_conversation_started_again_after_going_back_is_stored_once(client, factory,
                                                                       login_as):
    cohort = factory.cohort()
    ana = factory.learner_in(cohort)
    login_as(ana)
    url = f"/cohorts/{cohort.id}/e/introduce-yourself"
    data = {"title": "Ana from the council", "body": "I run our press office."}
    first = client.post(url, data={**data, "submission_key": "c" * 32})
    again = client.post(url, data={**data, "submission_key": "d" * 32})
    assert again.headers["Location"] == first.headers["Location"]
    assert "You had already sent this" in flashed(client, again)
    assert db.session.scalar(select(func.count(Thread.id)).where(
        Thread.cohort_id == cohort.id, Thread.title == data["title"])) == 1
    other = client.post(url, data={**data, "title": "Ana, again", "submission_key": "e" * 32})
    assert other.headers["Location"] != first.headers["Location"]  # another title: another one


@pytest.mark.parametrize("title", ["Ana from\tthe council", "Ana from the\u2028council",
                                   " Ana from the council\r\n"])
def test_a_title_is_compared_as_it_is_stored_on_one_line(client, factory, login_as, title):
    """A title is stored on one line (a tab or a line separator folded into a space): the
    same title sent again is compared in that form, so it finds the conversation."""
    cohort = factory.cohort()
    login_as(factory.learner_in(cohort))
    url = f"/cohorts/{cohort.id}/e/introduce-yourself"
    body = {"body": "I run our press office."}
    first = client.post(url, data={**body, "title": title, "submission_key": "f0" * 16})
    again = client.post(url, data={**body, "title": title, "submission_key": "f1" * 16})
    assert again.headers["Location"] == first.headers["Location"]
    assert "You had already sent this" in flashed(client, again)
    assert db.session.scalar(select(func.count(Thread.id)).where(
        Thread.cohort_id == cohort.id, Thread.title == "Ana from the council")) == 1


def test_an_empty_title_and_post_are_both_named_at_once(client, factory, login_as):
    cohort = factory.cohort()
    login_as(factory.learner_in(cohort))
    response = client.post(f"/cohorts/{cohort.id}/e/introduce-yourself",
                           data={"title": " ", "body": ""})
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    summary = page.split('class="error-summary"')[1].split("</div>")[0]
    assert re.findall(r'href="#(\w+)"', summary) == ["title", "body"]
    assert "Give your conversation a title." in summary
    assert "Write something before you send it." in summary
