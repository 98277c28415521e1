"""The facilitator's home (my cohorts, what needs me), a cohort's page (the first few of each
list of the e-moderation queue, key, state, and the way to every tool), and each list in full."""

from datetime import timedelta

import pytest

from course_app.auth.models import Role
from course_app.clock import utcnow
from course_app.cohorts.models import CohortState
from course_app.cohorts.services import membership_of
from course_app.discussions import services as discussions
from course_app.extensions import db
from learner_journey import start, text


def title(response) -> str:
    body = response.get_data(as_text=True)
    return body[body.index("<title>") + 7:body.index("</title>")]


def h1(response) -> str:
    body = response.get_data(as_text=True)
    return body[body.index("<h1>") + 4:body.index("</h1>")]


# ---- home ----------------------------------------------------------------------

def test_home_empty_state_for_a_new_facilitator(client, factory, login_as):
    login_as(factory.user(Role.FACILITATOR))
    response = client.get("/facilitate/")
    assert response.status_code == 200
    assert h1(response) == "Facilitate" and title(response).startswith("Facilitate")
    page = text(response)
    assert "You don't run any cohorts yet. Open one" in page
    assert "Open a new cohort" in page
    assert 'href="/facilitate/cohorts/new"' in response.get_data(as_text=True)


def test_home_lists_my_cohorts_with_what_needs_me(client, factory, login_as, cohort,
                                                  facilitator):
    learner = factory.learner_in(cohort, name="Quiet Quentin")
    membership_of(cohort.id, learner.id).joined_at = utcnow() - timedelta(days=9)
    talker = factory.learner_in(cohort, name="Talking Tess")
    start(cohort, talker, "introduce-yourself", title="Hello from Tess")
    db.session.commit()
    other = factory.cohort(course=cohort.course, name="Someone else's cohort")
    login_as(facilitator)
    response = client.get("/facilitate/")
    page = text(response)
    assert "Spring cohort" in page and "Someone else's cohort" not in page
    assert "2 learners" in page and "Open for enrolment" in page
    assert "1 first post nobody has answered" in page
    assert "1 silent for 5+ days" in page
    body = response.get_data(as_text=True)
    assert f'href="/facilitate/cohorts/{cohort.id}"' in body
    assert f'href="/facilitate/cohorts/{cohort.id}#unanswered"' in body
    assert f"/facilitate/cohorts/{other.id}" not in body


def test_home_puts_closed_cohorts_apart(client, factory, login_as, cohort, facilitator):
    cohort.state = CohortState.ARCHIVED
    db.session.commit()
    login_as(facilitator)
    page = text(client.get("/facilitate/"))
    assert "Closed and archived" in page and "Spring cohort" in page
    assert "None of your cohorts is running" in page


def test_admin_sees_every_cohort(client, factory, login_as, cohort):
    login_as(factory.user(Role.ADMIN))
    page = text(client.get("/facilitate/"))
    assert "All cohorts" in page and "Spring cohort" in page
    finished = text(client.get("/facilitate/cohorts/finished"))
    assert "None of the cohorts is closed or archived." in finished  # not "your": all of them


def test_learner_gets_a_friendly_403(client, factory, login_as, cohort):
    login_as(factory.learner_in(cohort))
    response = client.get("/facilitate/")
    assert response.status_code == 403
    assert "This area is for facilitators" in text(response)


def test_anonymous_is_sent_to_log_in(client):
    response = client.get("/facilitate/")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_home_pages_through_many_cohorts_at_the_same_cost(client, factory, login_as,
                                                         monkeypatch):
    """An admin sees every cohort: the home works out the queues of one page of them, so it
    costs the same with 3 live cohorts as with 5; the closed ones are listed below."""
    from course_app.facilitate.cohort_admin import change_state
    from course_app.facilitate.views import home
    from database import statements_sent

    monkeypatch.setattr(home, "HOME_PER_PAGE", 2)
    admin = factory.user(Role.ADMIN)
    course = factory.course()
    closed = factory.cohort(course=course, name="Cohort closed")
    change_state(closed, CohortState.CLOSED, admin, utcnow())
    for n in range(3):
        factory.learner_in(factory.cohort(course=course, name=f"Cohort {n}"))
    db.session.commit()
    login_as(admin)

    def home_page(**query):
        client.get("/facilitate/", query_string=query)  # caches warmed
        with statements_sent() as sent:
            response = client.get("/facilitate/", query_string=query)
        return text(response), len(sent)

    first, three = home_page()
    assert "Cohort 2" in first and "Cohort 1" in first and "Cohort 0" not in first
    assert "3 running or open for enrolment, newest first; showing 1–2." in first
    assert "Closed and archived Cohort closed" in first
    second, _ = home_page(page=2)
    assert "Cohort 0" in second and "Cohort 2" not in second
    for n in range(3, 5):
        factory.learner_in(factory.cohort(course=course, name=f"Cohort {n}"))
    db.session.commit()
    _, five = home_page()
    assert five == three


def test_home_shows_the_newest_closed_cohorts_and_links_to_them_all(client, factory, login_as,
                                                                   facilitator, monkeypatch):
    """Closed and archived cohorts pile up over the years: the home lists the newest few and
    "See all" pages through the rest, each page costing the same queries."""
    from course_app.facilitate.cohort_admin import change_state
    from course_app.facilitate.views import home
    from database import statements_sent

    monkeypatch.setattr(home, "FINISHED_SHOWN", 2)
    monkeypatch.setattr(home, "FINISHED_PER_PAGE", 3)
    course = factory.course()

    def finish(n: int) -> None:
        cohort = factory.cohort(course=course, facilitator=facilitator, name=f"Old cohort {n}")
        factory.learner_in(cohort)
        change_state(cohort, CohortState.CLOSED, facilitator, utcnow())
        if n % 2:
            change_state(cohort, CohortState.ARCHIVED, facilitator, utcnow())

    for n in range(4):
        finish(n)
    factory.cohort(course=course, name="Someone else's closed cohort").state = CohortState.CLOSED
    db.session.commit()
    login_as(facilitator)

    home_page = text(client.get("/facilitate/"))
    assert "Old cohort 3" in home_page and "Old cohort 2" in home_page
    assert "Old cohort 1" not in home_page
    assert "See all 4 closed and archived cohorts" in home_page
    assert 'href="/facilitate/cohorts/finished"' in client.get("/facilitate/").get_data(True)

    def all_page(**query):
        client.get("/facilitate/cohorts/finished", query_string=query)  # caches warmed
        with statements_sent() as sent:
            response = client.get("/facilitate/cohorts/finished", query_string=query)
        assert response.status_code == 200
        return text(response), len(sent)

    first, cost = all_page()
    assert "Closed and archived cohorts" in title_of(client, "/facilitate/cohorts/finished")
    assert "4 cohorts, newest first; showing 1–3." in first
    assert "Old cohort 3 · " in first and "1 learner · archived" in first
    assert "Old cohort 0" not in first and "Someone else's" not in first
    second, _ = all_page(page=2)
    assert "Old cohort 0" in second and "Old cohort 1" not in second
    assert "Back to Facilitate" in second
    for n in range(4, 8):
        finish(n)
    db.session.commit()
    assert all_page()[1] == cost


def test_closed_cohorts_page_says_what_to_do_when_there_are_none(client, factory, login_as,
                                                                 cohort, facilitator):
    login_as(facilitator)
    page = text(client.get("/facilitate/"))
    assert "See all" not in page and "Closed and archived" not in page
    page = text(client.get("/facilitate/cohorts/finished"))
    assert "None of your cohorts is closed or archived." in page
    assert '“Close the cohort” on its page puts it here' in page


def title_of(client, path: str) -> str:
    return title(client.get(path))


# ---- a cohort's page -----------------------------------------------------------

def test_cohort_page_with_empty_queue(client, login_as, cohort, facilitator):
    login_as(facilitator)
    response = client.get(f"/facilitate/cohorts/{cohort.id}")
    assert response.status_code == 200
    assert h1(response) == "Spring cohort" and "Spring cohort" in title(response)
    page = text(response)
    assert "Home Facilitate Spring cohort" in page
    assert "Nothing needs you right now" in page
    assert "Nobody is waiting for a reply" in page
    assert "Nobody has been silent for 5 days" in page
    assert "Nobody is stuck" in page
    assert "Nobody has only read so far" in page
    assert cohort.enrolment_key in page
    assert "Start the cohort" in page and "Close the cohort" in page
    assert "Reopen" not in page and "Archive" not in page
    body = response.get_data(as_text=True)
    for path in ("settings", "invites", "people", "nudge", "overrides", "audit",
                 "e/introduce-yourself/reading", "e/introduce-yourself/weave"):
        assert f'href="/facilitate/cohorts/{cohort.id}/{path}"' in body, path
    assert "Back to Facilitate" in page


def test_the_key_comes_first_until_people_join_then_what_needs_you(client, factory, login_as,
                                                                   cohort, facilitator):
    login_as(facilitator)
    body = client.get(f"/facilitate/cohorts/{cohort.id}").get_data(as_text=True)
    assert body.index('id="key"') < body.index('id="queue"')  # no learners: share the key
    factory.learner_in(cohort)
    db.session.commit()
    body = client.get(f"/facilitate/cohorts/{cohort.id}").get_data(as_text=True)
    assert body.index('id="queue"') < body.index('id="stage-notes-heading"') < body.index(
        'id="key"') < body.index('id="state"')


def test_queue_lists_unanswered_first_post_and_silent_learner(client, factory, login_as, cohort,
                                                             facilitator):
    quiet = factory.learner_in(cohort, name="Quiet Quentin")
    membership_of(cohort.id, quiet.id).joined_at = utcnow() - timedelta(days=8)
    talker = factory.learner_in(cohort, name="Talking Tess")
    thread = start(cohort, talker, "introduce-yourself", title="Hello from Tess")
    db.session.commit()
    login_as(facilitator)
    response = client.get(f"/facilitate/cohorts/{cohort.id}")
    page, body = text(response), response.get_data(as_text=True)
    assert "“Hello from Tess” by Talking Tess, posted just now" in page
    assert (f'href="/cohorts/{cohort.id}/threads/{thread.id}?page=1#post-{thread.posts[0].id}"'
            in body)
    assert "Quiet Quentin : joined 1 week ago , no posts yet" in page
    assert f'href="/facilitate/cohorts/{cohort.id}/nudge?learner={quiet.id}"' in body
    assert "Talking Tess : joined" not in page  # she posted


def test_queue_lists_stuck_learners_and_observers(client, factory, login_as, cohort, facilitator):
    reader = factory.learner_in(cohort, name="Reading Rhea")
    membership_of(cohort.id, reader.id).joined_at = utcnow() - timedelta(days=30)
    writer = factory.learner_in(cohort, name="Writing Will")
    thread = start(cohort, writer, "introduce-yourself")
    discussions.mark_shown(thread, reader, thread.posts, utcnow())
    db.session.commit()
    login_as(facilitator)
    response = client.get(f"/facilitate/cohorts/{cohort.id}")
    page, body = text(response), response.get_data(as_text=True)
    assert "Reading Rhea : in stage 1 since" in page
    assert f'href="/facilitate/cohorts/{cohort.id}/overrides?learner={reader.id}"' in body
    assert "Reading Rhea : read 1 peer’s post, no replies or conversations yet" in page
    assert "Encourage Reading Rhea to reply" in page


def test_long_lists_show_their_first_few_and_page_through_the_rest(client, factory, login_as,
                                                                 cohort, facilitator,
                                                                 monkeypatch):
    from course_app.facilitate.views import home

    monkeypatch.setattr(home, "QUEUE_SHOWN", 2)
    monkeypatch.setattr(home, "WAITING_PER_PAGE", 3)
    for n in range(5):  # five learners who joined long ago and never posted: all silent,
        quiet = factory.learner_in(cohort, name=f"Quiet {n}")  # Quiet 4 the longest
        membership_of(cohort.id, quiet.id).joined_at = utcnow() - timedelta(days=8 + n)
    db.session.commit()
    login_as(facilitator)
    response = client.get(f"/facilitate/cohorts/{cohort.id}")
    page, body = text(response), response.get_data(as_text=True)
    assert "Silent for 5 days or more (5)" in page  # the count is of the whole list
    assert "Quiet 4 :" in page and "Quiet 3 :" in page and "Quiet 2 :" not in page
    assert page.index("Quiet 4 :") < page.index("Quiet 3 :")  # who has waited longest first
    assert "See all 5 in “Silent for 5 days or more” (the first 2 are above)" in page
    see_all = f"/facilitate/cohorts/{cohort.id}/waiting/silent"
    assert f'href="{see_all}"' in body
    assert "/waiting/unanswered" not in body  # a short list has no "See all"

    first = client.get(see_all)
    assert first.status_code == 200
    assert h1(first) == "Silent for 5 days or more"
    assert "Silent for 5 days or more · Spring cohort" in title(first)
    page = text(first)
    assert "Home Facilitate Spring cohort Silent for 5 days or more" in page
    assert "Spring cohort: 5 learners; showing 1–3." in page
    assert [f"Quiet {n} :" in page for n in range(5)] == [False] * 2 + [True] * 3
    assert f'href="{see_all}?page=2"' in first.get_data(as_text=True)
    second = text(client.get(see_all, query_string={"page": 2}))
    assert "Quiet 1 :" in second and "Quiet 0 :" in second and "Quiet 4 :" not in second
    assert "Back to what needs you in Spring cohort" in second

    empty = text(client.get(f"/facilitate/cohorts/{cohort.id}/waiting/observers"))
    assert "Nobody has only read so far" in empty
    assert client.get(f"/facilitate/cohorts/{cohort.id}/waiting/everyone").status_code == 404


def test_the_unanswered_list_pages_in_the_database_without_anyones_standing(
        client, factory, login_as, cohort, facilitator, monkeypatch):
    """First posts nobody has answered, in full: the page the queue's rule gives, a page at
    a time from SQL, oldest first, with no learner's standing worked out (the other lists
    need them)."""
    from course_app.facilitate.views import home
    from course_app.progress import standing

    monkeypatch.setattr(home, "WAITING_PER_PAGE", 2)
    posters = [factory.learner_in(cohort, name=f"Poster {n}") for n in range(3)]
    removed = factory.learner_in(cohort, name="Gone Gus")
    for n, person in enumerate([*posters, removed]):
        thread = start(cohort, person, "introduce-yourself", title=f"Piece {n}")
        thread.created_at = utcnow() - timedelta(hours=10 - n)
    membership_of(cohort.id, removed.id).removed_at = utcnow()
    answered = start(cohort, posters[0], "introduce-yourself", title="Answered piece")
    discussions.reply(answered, posters[1], "Welcome!", utcnow())
    db.session.commit()
    login_as(facilitator)

    def no_standings(*args, **kwargs):
        raise AssertionError("the unanswered list worked out standings")

    monkeypatch.setattr(standing, "cohort_progress", no_standings)
    url = f"/facilitate/cohorts/{cohort.id}/waiting/unanswered"
    first = client.get(url)
    assert first.status_code == 200
    page = text(first)
    assert "Spring cohort: 3 conversations; showing 1–2." in page
    assert page.index("Piece 0") < page.index("Piece 1") and "Piece 2" not in page
    assert "Answered piece" not in page and "Piece 3" not in page  # answered; removed author
    assert "Piece 2" in text(client.get(url, query_string={"page": 2}))
    assert "Piece 2" in text(client.get(url, query_string={"page": 9}))  # past the end: last


def test_paced_cohort_page_lists_release_dates(client, factory, login_as, course, facilitator):
    cohort = factory.cohort(course=course, facilitator=facilitator, paced=True,
                            starts_on=utcnow().date())
    login_as(facilitator)
    page = text(client.get(f"/facilitate/cohorts/{cohort.id}"))
    assert "Pacing" in page and "Stage 5," in page and "(open)" in page


@pytest.mark.parametrize("who,status", [
    ("learner", 403), ("reviewer", 403), ("other facilitator", 404), ("admin", 200),
])
def test_cohort_page_access(client, factory, login_as, cohort, who, status):
    if who == "learner":
        user = factory.learner_in(cohort)
    elif who == "reviewer":
        user = factory.reviewer_in(cohort)
    elif who == "other facilitator":
        user = factory.user(Role.FACILITATOR)
        factory.cohort(course=cohort.course, facilitator=user)
    else:
        user = factory.user(Role.ADMIN)
    login_as(user)
    assert client.get(f"/facilitate/cohorts/{cohort.id}").status_code == status


def test_cohort_page_anonymous_and_missing(client, factory, login_as, cohort, facilitator):
    response = client.get(f"/facilitate/cohorts/{cohort.id}")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    login_as(facilitator)
    assert client.get("/facilitate/cohorts/999999").status_code == 404


def test_nav_link_for_staff_only(client, factory, login_as, cohort, facilitator):
    login_as(facilitator)
    assert 'href="/facilitate/"' in client.get("/").get_data(as_text=True)
    login_as(factory.learner_in(cohort))
    assert 'href="/facilitate/"' not in client.get("/").get_data(as_text=True)
