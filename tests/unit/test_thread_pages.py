"""A thread's pages and its first unread post (course_app/discussions/reading.py), asked
directly: each answer is a small query, whatever the length of the thread."""


import pytest
from sqlalchemy import select

from conftest import shared_rows
from course_app.auth.models import User
from course_app.clock import utcnow
from course_app.cohorts.models import Cohort
from course_app.courses.models import Etivity
from course_app.discussions import reading, services
from course_app.discussions.models import Post, Thread
from course_app.extensions import db
from database import statements_sent

PER_PAGE = reading.POSTS_PER_PAGE


def new_thread(cohort, author, replies: int, repliers, title="Hello"):
    etivity = db.session.scalar(select(Etivity).where(Etivity.course_id == cohort.course_id,
                                                      Etivity.slug == "introduce-yourself"))
    thread = services.start_thread(cohort, etivity, author, title, "Hi all.", utcnow())
    for n in range(replies):
        services.reply(thread, repliers[n % len(repliers)], f"Reply number {n}", utcnow())
    db.session.commit()
    return thread


def posts_of(thread) -> list[Post]:
    return list(db.session.scalars(select(Post).where(Post.thread_id == thread.id)
                                   .order_by(Post.id)))


@shared_rows
def thread_rows(factory) -> dict[str, int]:
    """A thread of 2 full pages and 5 posts more, by Ana and Ben; Cara has read nothing."""
    cohort = factory.cohort()
    ana, ben, cara = (factory.learner_in(cohort) for _ in range(3))
    thread = new_thread(cohort, ana, PER_PAGE * 2 + 4, [ben, ana])
    return {"cohort": cohort.id, "ana": ana.id, "ben": ben.id, "cara": cara.id,
            "thread": thread.id}


@pytest.fixture
def long_thread(app, thread_rows):
    """The thread, made once for this module's tests; each test's changes are undone."""
    models = {"cohort": Cohort, "ana": User, "ben": User, "cara": User, "thread": Thread}
    rows = {name: db.session.get(models[name], id_) for name, id_ in thread_rows.items()}
    return {**rows, "posts": posts_of(rows["thread"])}


# ---- pages ---------------------------------------------------------------------

def test_pages_hold_the_posts_in_order(long_thread):
    thread, posts = long_thread["thread"], long_thread["posts"]
    first = reading.posts_page(thread, 1)
    assert (first.page, first.pages, first.total) == (1, 3, len(posts))
    assert first.items == posts[:PER_PAGE]
    assert reading.posts_page(thread, 2).items == posts[PER_PAGE:PER_PAGE * 2]
    assert reading.posts_page(thread, 3).items == posts[PER_PAGE * 2:]


@pytest.mark.parametrize("asked, shown", [(None, 3), (3, 3), (4, 3), (999, 3), (0, 1), (-2, 1)])
def test_no_number_or_one_past_the_end_shows_the_last_page(long_thread, asked, shown):
    page = reading.posts_page(long_thread["thread"], asked)
    assert page.page == shown and page.items


def test_a_page_loads_only_its_own_posts(long_thread):
    db.session.expunge_all()
    page = reading.posts_page(long_thread["thread"], 2)
    loaded = [o for o in db.session.identity_map.values() if isinstance(o, Post)]
    parents = {p.parent_id for p in page.items}
    assert len(loaded) <= PER_PAGE + len(parents)


def test_each_post_is_on_the_page_its_position_says(long_thread):
    posts = long_thread["posts"]
    for position in (0, PER_PAGE - 1, PER_PAGE, PER_PAGE * 2 - 1, PER_PAGE * 2, len(posts) - 1):
        post = posts[position]
        expected = position // PER_PAGE + 1
        assert reading.page_of_post(post) == expected, position
        assert post in reading.posts_page(long_thread["thread"], expected).items


def test_which_page_needs_no_query_however_long_the_thread(long_thread):
    """A post knows its position in its thread."""
    with statements_sent() as statements:
        reading.page_of_post(long_thread["posts"][-1])
    assert statements == []


def test_pages_of_many_posts_across_threads_at_once(long_thread):
    w = long_thread
    other = new_thread(w["cohort"], w["ben"], PER_PAGE + 1, [w["ana"]], title="Another")
    # Interleave the two threads' ids, so a count across threads would be caught out.
    services.reply(w["thread"], w["ana"], "A late reply", utcnow())
    db.session.commit()
    everything = posts_of(w["thread"]) + posts_of(other)
    with statements_sent() as statements:
        pages = reading.pages_of(everything)
    assert statements == []
    assert pages == {post.id: reading.page_of_post(post) for post in everything}
    assert pages[posts_of(other)[-1].id] == 2
    assert reading.pages_of([]) == {}


# ---- the first unread post -----------------------------------------------------

def test_the_first_unread_follows_what_was_shown(long_thread):
    w = long_thread
    thread, posts, cara = w["thread"], w["posts"], w["cara"]
    assert reading.first_unread_post(thread, cara) == posts[0]
    services.mark_shown(thread, cara, reading.posts_page(thread, 1).items, utcnow())
    assert reading.first_unread_post(thread, cara) == posts[PER_PAGE]
    services.mark_shown(thread, cara, reading.posts_page(thread, 3).items, utcnow())
    assert reading.first_unread_post(thread, cara) == posts[PER_PAGE]  # page 2 still unread
    services.mark_shown(thread, cara, reading.posts_page(thread, 2).items, utcnow())
    assert reading.first_unread_post(thread, cara) is None


def test_hidden_and_withdrawn_posts_are_never_unread(long_thread):
    w = long_thread
    thread, posts, cara = w["thread"], w["posts"], w["cara"]
    services.mark_shown(thread, cara, posts[:3], utcnow())
    posts[3].hidden_at = utcnow()
    posts[4].deleted_at = utcnow()
    assert reading.first_unread_post(thread, cara) == posts[5]


def test_your_own_posts_are_read_as_you_write_them(long_thread):
    w = long_thread
    assert reading.first_unread_post(w["thread"], w["ana"]) == w["posts"][1]  # Ben's first
    assert reading.read_post_ids(w["ana"], w["posts"][:4]) == {w["posts"][0].id, w["posts"][2].id}


def test_the_first_unread_is_one_query(long_thread):
    db.session.refresh(long_thread["cara"])  # loaded after the last commit, not counted below
    with statements_sent() as statements:
        reading.first_unread_post(long_thread["thread"], long_thread["cara"])
    assert len(statements) == 1
