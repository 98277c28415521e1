"""Pages whose cost does not grow with the data: each runs the same number of SQL queries on
a small cohort and on the same cohort made large (60 more learners, a thread of 640 posts,
45 more conversation pieces, their reads and evidence), and a long thread's first, middle
and last pages cost what a short thread's page does.

Each page is requested once before it is counted, as a page seen before (its reads are
recorded), and counted with a fresh session, as a new request on another server would be.
"""

import uuid
from types import SimpleNamespace

import pytest
from bulk_data import grow
from toolkit_world import builds_section

from course_app.clock import utcnow
from course_app.discussions import services as discussions
from course_app.discussions.reading import POSTS_PER_PAGE
from course_app.extensions import db
from course_app.toolkit import services as toolkit
from database import statements_sent
from learner_journey import start

LONG_REPLIES = 640


def count_queries(client, path: str, data: dict | None = None) -> int:
    db.session.remove()
    with statements_sent() as statements:
        response = client.post(path, data=data) if data is not None else client.get(path)
    assert response.status_code in (200, 302), (path, response.status_code)
    return len(statements)


@pytest.fixture
def course_run(factory, client, login_as):
    """A cohort with a facilitator, a learner who reads (and replies) and a peer who started
    a short thread and a long one in "introduce yourself"."""
    cohort = factory.cohort()
    facilitator = cohort.memberships[0].user
    learner, peer = factory.learner_in(cohort), factory.learner_in(cohort)
    short = start(cohort, peer, "introduce-yourself", title="Short")
    long = start(cohort, peer, "introduce-yourself", title="Long")
    for thread in (short, long):  # each page shows replies, and replies to replies
        welcome = discussions.reply(thread, facilitator, "Welcome!", utcnow())
        discussions.reply(thread, peer, "Thank you.", utcnow(), parent=welcome)
    # `introduce-yourself` builds a toolkit section; its current version is the short
    # thread's opening post, and every poster is credited.
    section = builds_section(cohort.course, "introduce-yourself", "introductions")
    toolkit.mark_current(cohort, section, short.posts[0], facilitator, utcnow())
    db.session.commit()
    ids = {"cohort": cohort.id, "short": short.id, "long": long.id}
    # Only what logging in needs: counting starts each request with a fresh session.
    people = {"learner": SimpleNamespace(email=learner.email),
              "facilitator": SimpleNamespace(email=facilitator.email)}

    def pages(who: str) -> dict[str, str]:
        c = ids["cohort"]
        if who == "facilitator":
            return {"dashboard": f"/reports/cohorts/{c}",
                    "csv": f"/reports/cohorts/{c}/progress.csv",
                    "api": f"/api/v1/cohorts/{c}/progress",
                    "pairs": f"/reports/cohorts/{c}/interactions.csv",
                    "calendar": f"/facilitate/cohorts/{c}/calendar",
                    "cohort's queue": f"/facilitate/cohorts/{c}",
                    "a list of the queue": f"/facilitate/cohorts/{c}/waiting/unanswered",
                    "toolkit section, choosing": f"/cohorts/{c}/toolkit/e/introduce-yourself",
                    "weave a summary": f"/facilitate/cohorts/{c}/e/introduce-yourself/weave"}
        return {"map": f"/cohorts/{c}", "progress": f"/cohorts/{c}/progress",
                "etivity": f"/cohorts/{c}/e/introduce-yourself",
                "short thread": f"/cohorts/{c}/threads/{ids['short']}?page=1",
                "long thread, first page": f"/cohorts/{c}/threads/{ids['long']}?page=1",
                "toolkit": f"/cohorts/{c}/toolkit",
                "toolkit as Markdown": f"/cohorts/{c}/toolkit.md",
                "toolkit section": f"/cohorts/{c}/toolkit/e/introduce-yourself"}

    def measure(extra: dict[str, str] | None = None) -> dict[str, int]:
        counts = {}
        for who in ("learner", "facilitator"):
            login_as(people[who])
            for name, path in {**pages(who), **(extra or {} if who == "learner" else {})}.items():
                client.get(path)  # seen before: its reads are recorded
                counts[name] = count_queries(client, path)
        login_as(people["learner"])
        for name in ("short", "long"):
            path = f"/cohorts/{ids['cohort']}/threads/{ids[name]}"
            key = uuid.uuid4().hex  # new words too: the same words again are not stored twice
            counts[f"reply in the {name} thread"] = count_queries(client, path, {
                "body": f"Counting queries ({key[:8]}).", "parent_id": "",
                "submission_key": key})
        return counts

    return ids, measure


def test_pages_run_the_same_queries_on_small_and_large_data(course_run):
    ids, measure = course_run
    small = measure()
    grow(ids["cohort"], ids["long"], replies=LONG_REPLIES)
    last = (LONG_REPLIES + 5) // POSTS_PER_PAGE + 1
    thread = f"/cohorts/{ids['cohort']}/threads/{ids['long']}"
    large = measure({"long thread, middle page": f"{thread}?page={last // 2}",
                     "long thread, last page": f"{thread}?page={last}"})
    assert {name: large[name] for name in small} == small
    assert (large["long thread, first page"] == large["long thread, middle page"]
            == large["long thread, last page"] == large["short thread"]), large
    assert large["reply in the long thread"] == large["reply in the short thread"], large


def test_a_learners_home_page_costs_the_same_in_one_cohort_or_five(factory, client, login_as):
    """Each card says where the learner is and what is next (`standings_in`): one learner's
    standing in every cohort at once, whatever their number, paced or not, one course or two."""
    from datetime import date

    from course_app.auth.models import User
    from course_app.cohorts.models import Cohort, MemberRole
    from course_app.cohorts.services import add_member
    from course_app.progress.overrides import open_early
    from course_app.progress.standing import learner_progress, standings_in

    learner = factory.user()
    first = factory.cohort()
    add_member(first, learner, MemberRole.LEARNER, utcnow())
    start(first, factory.learner_in(first), "introduce-yourself")
    db.session.commit()
    learner_id, first_id = learner.id, first.id
    login_as(learner)
    client.get("/")  # the page once, as seen before
    one = count_queries(client, "/")

    learner = db.session.get(User, learner_id)
    other_course = factory.course()
    cohorts = [factory.cohort(), factory.cohort(paced=True, starts_on=date.today()),
               factory.cohort(other_course), factory.cohort(other_course)]
    for cohort in cohorts:
        add_member(cohort, learner, MemberRole.LEARNER, utcnow())
    start(cohorts[0], learner, "introduce-yourself")
    open_early(cohorts[2], cohorts[2].memberships[0].user_id, utcnow(), stage_number=2)
    db.session.commit()
    ids = [first_id, *(c.id for c in cohorts)]
    assert count_queries(client, "/") == one
    # and each card's standing is the learner's own in that cohort
    today = utcnow().date()
    every = [db.session.get(Cohort, i) for i in ids]
    together = standings_in(every, learner_id, today)
    for cohort in every:
        alone = learner_progress(cohort, learner_id, today)
        assert together[cohort.id].current_stage == alone.current_stage
        assert together[cohort.id].opened_on == alone.opened_on
        assert ([(p.etivity.id, p.state, p.counts) for p in together[cohort.id].etivities]
                == [(p.etivity.id, p.state, p.counts) for p in alone.etivities])
