"""Links into a long thread land on the right page and post; a page read is recorded as read."""

import html

import pytest
from sqlalchemy import select

from course_app.clock import utcnow
from course_app.courses.models import Etivity
from course_app.discussions import services
from course_app.discussions.models import Post, PostRead
from course_app.discussions.reading import POSTS_PER_PAGE
from course_app.extensions import db


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def thread_url(cohort, thread, **query) -> str:
    tail = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/cohorts/{cohort.id}/threads/{thread.id}" + (f"?{tail}" if tail else "")


@pytest.fixture
def world(factory):
    """A thread of two full pages and 3 posts more; Cara has read nothing of it."""
    cohort = factory.cohort()
    ana, ben, cara = (factory.learner_in(cohort) for _ in range(3))
    etivity = db.session.scalar(select(Etivity).where(Etivity.course_id == cohort.course_id,
                                                      Etivity.slug == "introduce-yourself"))
    thread = services.start_thread(cohort, etivity, ana, "Hello", "Hi all.", utcnow())
    for n in range(POSTS_PER_PAGE * 2 + 2):
        services.reply(thread, ben if n % 2 else ana, f"Reply number {n}", utcnow())
    db.session.commit()
    posts = list(db.session.scalars(select(Post).where(Post.thread_id == thread.id)
                                    .order_by(Post.id)))
    return {"cohort": cohort, "ana": ana, "ben": ben, "cara": cara, "thread": thread,
            "posts": posts}


def test_a_new_reply_lands_on_the_last_page_at_the_reply(client, login_as, world):
    cohort, thread = world["cohort"], world["thread"]
    login_as(world["cara"])
    response = client.post(thread_url(cohort, thread), data={"body": "Late to the party"})
    post = db.session.scalar(select(Post).where(Post.body == "Late to the party"))
    assert response.headers["Location"] == thread_url(cohort, thread, page=3) + f"#post-{post.id}"
    assert f'id="post-{post.id}"' in text(client.get(response.headers["Location"]))


def test_saving_an_edit_returns_to_the_page_of_the_post(client, login_as, world):
    cohort, early = world["cohort"], world["posts"][1]  # Ana's first reply, on page 1
    login_as(world["ana"])
    response = client.post(f"/cohorts/{cohort.id}/posts/{early.id}/edit",
                           data={"body": "Better words"})
    assert response.headers["Location"] == \
        thread_url(cohort, world["thread"], page=1) + f"#post-{early.id}"


def test_answering_an_early_post_opens_its_page_and_links_back_to_it(client, login_as, world):
    cohort, thread, early = world["cohort"], world["thread"], world["posts"][3]
    login_as(world["cara"])
    page = text(client.get(thread_url(cohort, thread, reply_to=early.id)))
    assert f'id="post-{early.id}"' in page and "Page 1 of 3" in page
    assert f'href="{thread_url(cohort, thread, page=1)}#post-{early.id}">see their post' in page

    client.post(thread_url(cohort, thread), data={"body": "Answering you", "parent_id": early.id})
    answer = db.session.scalar(select(Post).where(Post.body == "Answering you"))
    page = text(client.get(thread_url(cohort, thread, page=3)))
    article = page.split(f'id="post-{answer.id}"')[1].split("</article>")[0]
    assert f'href="{thread_url(cohort, thread, page=1)}#post-{early.id}"' in article


def test_a_reply_on_the_same_page_links_within_it(client, login_as, world):
    cohort, thread, parent = world["cohort"], world["thread"], world["posts"][-1]
    services.reply(thread, world["ana"], "Right below you", utcnow(), parent=parent)
    db.session.commit()
    login_as(world["cara"])
    page = text(client.get(thread_url(cohort, thread, page=3)))
    assert f'In reply to <a href="#post-{parent.id}">' in page


def test_a_page_shown_is_recorded_as_read_and_no_other(client, login_as, world):
    cohort, thread, posts, cara = world["cohort"], world["thread"], world["posts"], world["cara"]
    login_as(cara)
    client.get(thread_url(cohort, thread, page=2))
    read = set(db.session.scalars(select(PostRead.post_id).where(PostRead.user_id == cara.id)))
    assert read == {p.id for p in posts[POSTS_PER_PAGE:POSTS_PER_PAGE * 2]}
    # The first unread is still the opening post, on page 1.
    response = client.get(thread_url(cohort, thread))
    assert (response.headers["Location"]
            == thread_url(cohort, thread, page=1) + f"#post-{posts[0].id}")


def test_the_pager_links_to_the_pages_either_side(client, login_as, world):
    cohort, thread = world["cohort"], world["thread"]
    login_as(world["cara"])
    page = text(client.get(thread_url(cohort, thread, page=2)))
    assert "Page 2 of 3." in page
    assert f'href="{thread_url(cohort, thread, page=1)}" rel="prev">Previous page' in page
    assert f'href="{thread_url(cohort, thread, page=3)}" rel="next">Next page' in page


def test_a_link_to_one_post_opens_its_page_not_the_first_unread(client, login_as, world):
    """A notification's link names its post (reading.post_path): the thread opens on that
    post's page (the browser keeps the #post- anchor), not at Cara's first unread post on
    page 1, which a plain thread address opens at."""
    from course_app.discussions.reading import page_of_post, post_path

    cohort, thread, late = world["cohort"], world["thread"], world["posts"][-1]
    login_as(world["cara"])
    plain = client.get(thread_url(cohort, thread))
    assert plain.status_code == 302 and "page=1" in plain.location  # the first unread
    response = client.get(post_path(cohort.id, thread.id, late.id).split("#")[0])
    assert response.status_code == 200
    assert page_of_post(late) == 3 and f'id="post-{late.id}"' in text(response)
    # Another thread's post, or nonsense, opens the thread as a plain address does.
    for odd in ("999999", "abc", str(world["posts"][0].id + 10_000)):
        assert client.get(thread_url(cohort, thread, post=odd)).status_code == 302
